import { useEffect, useMemo } from 'preact/hooks';
import type { Development } from './api';
import { occurredText, periodEndMs, readableDate } from './dates';
import { Link, useNavigation } from './navigation';
import { timelineDrawn } from './perf';
import { STATUSES, STATUS_COLOURS } from './status';
import { isDated, percentOf, scaleOf, spanOf, type Scale } from './timeline-scale';
import type { Zoom } from './view-state';

/** Developments in occurred order: a bar per dated one over its earliest–latest span, the undated in a lane of their own. */
export function Timeline(props: { items: readonly Development[]; zoom: Zoom; asOf: string | undefined; truncated: boolean }) {
  const { items, zoom, asOf } = props;
  const asOfMs = asOf === undefined ? undefined : periodEndMs(asOf);
  const scale = useMemo(() => scaleOf(items.map((item) => item.occurred), zoom, asOfMs), [items, zoom, asOfMs]);
  const dated = items.filter((item) => isDated(item.occurred));
  const undated = items.filter((item) => !isDated(item.occurred));
  useEffect(() => timelineDrawn(asOf), [items, asOf]);

  if (items.length === 0) {
    return (
      <p class="empty" data-testid="timeline-empty">
        Nothing known {asOf ? `as of ${readableDate(asOf)}` : 'yet'} matches these filters.
      </p>
    );
  }
  return (
    <div class="timeline" data-testid="timeline">
      <Legend />
      {scale && (
        <section aria-label="Developments by when they occurred">
          <Axis scale={scale} />
          <ol class="rows">
            {dated.map((item) => (
              <Row key={item.id} item={item} scale={scale} />
            ))}
          </ol>
        </section>
      )}
      {undated.length > 0 && (
        <section class="undated" aria-label="Developments with no known date">
          <h3>Date not known</h3>
          <ol class="rows">
            {undated.map((item) => (
              <Row key={item.id} item={item} />
            ))}
          </ol>
        </section>
      )}
      {props.truncated && <p class="note">More developments are known than one page shows: narrow the filters.</p>}
    </div>
  );
}

function Row(props: { item: Development; scale?: Scale }) {
  const { item, scale } = props;
  const { view } = useNavigation();
  const open = view.route.page === 'development' && view.route.id === item.id;
  const span = scale ? spanOf(item.occurred, scale) : undefined;
  const dates = occurredText(item.occurred);
  const when = [item.occurred?.label, dates].filter(Boolean).join(': ') || 'date not known';
  return (
    <li class={`row status-${item.status}${open ? ' open' : ''}`} data-testid="timeline-row" data-id={item.id} data-status={item.status}>
      <Link to={{ page: 'development', id: item.id }} class="row-title" current={open}>
        {item.title}
      </Link>
      <span class="badge" style={{ backgroundColor: STATUS_COLOURS[item.status] }}>
        {item.status}
      </span>
      {scale && (
        <span class="track" title={`${when}${item.occurred?.edtf ? ` (EDTF ${item.occurred.edtf})` : ''}`}>
          {span ? (
            <span
              class={`bar${span.openStart ? ' open-start' : ''}${span.openEnd ? ' open-end' : ''}`}
              style={{
                left: `${percentOf(span.startMs, scale)}%`,
                width: `${Math.max(0.8, percentOf(span.endMs, scale) - percentOf(span.startMs, scale))}%`,
                backgroundColor: STATUS_COLOURS[item.status],
              }}
            />
          ) : (
            <span class="off-axis">outside the dates shown</span>
          )}
        </span>
      )}
      <span class="when">{when}</span>
    </li>
  );
}

function Axis(props: { scale: Scale }) {
  return (
    <div class="axis" aria-hidden="true">
      <span />
      <span />
      <span class="track">
        {props.scale.ticks.map((tick) => (
          <span key={tick.ms} class="tick" style={{ left: `${percentOf(tick.ms, props.scale)}%` }}>
            {tick.label}
          </span>
        ))}
      </span>
    </div>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label="Status colours">
      {STATUSES.map((status) => (
        <li key={status}>
          <span class="swatch" style={{ backgroundColor: STATUS_COLOURS[status] }} />
          {status}
        </li>
      ))}
    </ul>
  );
}
