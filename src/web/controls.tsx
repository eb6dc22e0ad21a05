import { useEffect, useRef, useState } from 'preact/hooks';
import type { Source } from './api';
import { asOfDay, DAY_MS, dayText, periodStartMs, readableDate } from './dates';
import { useNavigation } from './navigation';
import { sliderMoved } from './perf';
import { STATUSES } from './status';
import { ZOOMS, type Zoom } from './view-state';

/** The two times: knowledge (as of: a slider over the days reports came in, and a date) and transaction (recorded as of). */
export function TimeControls(props: { days: { first: string; last: string } | undefined }) {
  const { view, go } = useNavigation();
  const firstMs = props.days ? periodStartMs(props.days.first)! : undefined;
  const lastMs = props.days ? periodStartMs(props.days.last)! : undefined;
  const shownDay = asOfDay(view.asOf) ?? props.days?.last;
  const shownMs = shownDay ? periodStartMs(shownDay) : undefined;
  const span = firstMs !== undefined && lastMs !== undefined ? Math.round((lastMs - firstMs) / DAY_MS) : 0;
  const index = firstMs !== undefined && shownMs !== undefined ? Math.min(span, Math.max(0, Math.round((shownMs - firstMs) / DAY_MS))) : span;
  return (
    <div class="times" role="group" aria-label="Times">
      <div class="as-of">
        <label for="as-of-slider">Known as of</label>
        <input
          id="as-of-slider"
          data-testid="as-of-slider"
          type="range"
          min={0}
          max={span}
          step={1}
          value={index}
          disabled={firstMs === undefined}
          aria-valuetext={shownDay ? readableDate(shownDay) : 'now'}
          onInput={(event) => {
            if (firstMs === undefined) return;
            const day = dayText(firstMs + Number(event.currentTarget.value) * DAY_MS);
            sliderMoved(day);
            go({ ...view, asOf: day }, { replace: true });
          }}
        />
        <input
          type="date"
          aria-label="Known as of (date)"
          data-testid="as-of-date"
          value={asOfDay(view.asOf) ?? ''}
          onChange={(event) => go({ ...view, asOf: event.currentTarget.value || undefined })}
        />
        <output data-testid="as-of-text">{view.asOf ? readableDate(view.asOf) : 'now'}</output>
        <button type="button" onClick={() => go({ ...view, asOf: undefined })} disabled={!view.asOf}>
          now
        </button>
      </div>
      <div class="recorded">
        <label for="recorded-as-of" title="transaction time: what the store held then, before later corrections">
          Recorded as of (UTC)
        </label>
        <input
          id="recorded-as-of"
          data-testid="recorded-as-of"
          type="datetime-local"
          step={1}
          value={recordedInput(view.recordedAsOf)}
          onChange={(event) => go({ ...view, recordedAsOf: event.currentTarget.value ? `${event.currentTarget.value}Z`.replace(/^(.{16})Z$/, '$1:00Z') : undefined })}
        />
        <button type="button" onClick={() => go({ ...view, recordedAsOf: undefined })} disabled={!view.recordedAsOf}>
          now
        </button>
      </div>
    </div>
  );
}

/** A recorded-as-of value as a datetime-local input shows it (UTC, to the second). */
function recordedInput(recordedAsOf: string | undefined): string {
  if (!recordedAsOf) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(recordedAsOf)) return `${recordedAsOf}T23:59:59`;
  const ms = Date.parse(recordedAsOf);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 19);
}

const ZOOM_NAMES: Record<Zoom, string> = { all: 'all dates', '1y': 'last year', '90d': 'last 90 days', '30d': 'last 30 days' };

/** Topic, status, source and text; text waits for a pause in typing. */
export function Filters(props: { topics: readonly { topic: string; developments: number }[]; sources: readonly Source[] }) {
  const { view, go } = useNavigation();
  const [text, setText] = useState(view.q ?? '');
  // The view when the pause ends, not when typing began: a slider move meanwhile is kept.
  const latest = useRef(view);
  latest.current = view;
  useEffect(() => setText(view.q ?? ''), [view.q]);
  useEffect(() => {
    if ((view.q ?? '') === text.trim()) return undefined;
    const timer = setTimeout(() => go({ ...latest.current, q: text.trim() || undefined }, { replace: true }), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const topics = props.topics.some((t) => t.topic === view.topic) || !view.topic ? props.topics : [{ topic: view.topic, developments: 0 }, ...props.topics];
  return (
    <form class="filters" role="search" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      <label>
        Topic{' '}
        <select data-testid="filter-topic" value={view.topic ?? ''} onChange={(event) => go({ ...view, topic: event.currentTarget.value || undefined })}>
          <option value="">any</option>
          {topics.map((t) => (
            <option key={t.topic} value={t.topic}>
              {t.topic} ({t.developments})
            </option>
          ))}
        </select>
      </label>
      <label>
        Status{' '}
        <select data-testid="filter-status" value={view.status ?? ''} onChange={(event) => go({ ...view, status: event.currentTarget.value || undefined })}>
          <option value="">any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
      <label>
        Source{' '}
        <select data-testid="filter-source" value={view.sourceId ?? ''} onChange={(event) => go({ ...view, sourceId: event.currentTarget.value || undefined })}>
          <option value="">any</option>
          {view.sourceId && !props.sources.some((source) => source.id === view.sourceId) && <option value={view.sourceId}>{view.sourceId}</option>}
          {props.sources.map((source) => (
            <option key={source.id} value={source.id}>
              {source.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Text{' '}
        <input data-testid="filter-text" type="search" value={text} placeholder="words in titles, summaries, quotes" onInput={(event) => setText(event.currentTarget.value)} />
      </label>
      <label>
        Show{' '}
        <select data-testid="zoom" value={view.zoom} onChange={(event) => go({ ...view, zoom: event.currentTarget.value as Zoom })}>
          {ZOOMS.map((zoom) => (
            <option key={zoom} value={zoom}>
              {ZOOM_NAMES[zoom]}
            </option>
          ))}
        </select>
      </label>
    </form>
  );
}
