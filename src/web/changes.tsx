import { api, answer, type Change, type Source } from './api';
import { readableDate } from './dates';
import { useLoad } from './load';
import { Link, useNavigation } from './navigation';
import { quantityText } from './quantities';

/** What became known between `since` and asOf, day by day, in sentences. */
export function ChangesPanel(props: { asOfDay: string; since: string; titles: ReadonlyMap<string, string>; sources: ReadonlyMap<string, Source> }) {
  const { view, go } = useNavigation();
  const since = props.since;
  const key = JSON.stringify([since, props.asOfDay, view.recordedAsOf, view.topic]);
  const changes = useLoad(key, (signal) =>
    answer(
      api.GET('/v1/knowledge/changes', {
        params: { query: { from: since, to: props.asOfDay, ...(view.recordedAsOf ? { recordedAsOf: view.recordedAsOf } : {}), ...(view.topic ? { topic: view.topic } : {}) } },
        signal,
      }),
    ),
  );
  const days = groupByDay(changes.data?.items ?? []);
  return (
    <section class="panel changes" aria-labelledby="changes-heading" data-testid="changes">
      <h2 id="changes-heading">What changed</h2>
      <p class="window">
        <label>
          after{' '}
          <input
            type="date"
            value={since}
            max={props.asOfDay}
            onChange={(event) => go({ ...view, since: event.currentTarget.value || undefined })}
          />
        </label>{' '}
        up to {readableDate(props.asOfDay)}
      </p>
      {changes.error && <p class="error">{changes.error.message}</p>}
      {!changes.loading && days.length === 0 && !changes.error && <p class="empty">Nothing became known in this window.</p>}
      {days.map(([day, items]) => (
        <div key={day} class="change-day">
          <h3>{readableDate(day)}</h3>
          <ul>
            {items.map((change, i) => (
              <li key={`${change.position}-${change.kind}-${i}`} data-testid="change" data-kind={change.kind}>
                <ChangeLine change={change} titles={props.titles} sources={props.sources} />
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function groupByDay(items: readonly Change[]): [string, Change[]][] {
  const days = new Map<string, Change[]>();
  for (const change of items) {
    const day = change.at.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), change]);
  }
  return [...days].reverse();
}

function ChangeLine(props: { change: Change; titles: ReadonlyMap<string, string>; sources: ReadonlyMap<string, Source> }) {
  const { change } = props;
  const title = (
    <Link to={{ page: 'development', id: change.developmentId }}>{props.titles.get(change.developmentId) ?? change.developmentId}</Link>
  );
  const source = change.sourceId ? (
    <Link to={{ page: 'source', id: change.sourceId }}>{props.sources.get(change.sourceId)?.name ?? change.sourceId}</Link>
  ) : (
    'a source'
  );
  switch (change.kind) {
    case 'development-reported':
      return <>First reported: {title}{change.status ? ` (${change.status.to})` : ''}</>;
    case 'development-revised':
      return <>Description revised: {title}{change.fields?.length ? ` (${change.fields.join(', ')})` : ''}</>;
    case 'claim-reported':
      return <>{source} reported on {title}{change.quantity ? `: ${quantityText(change.quantity)}` : ''}</>;
    case 'claim-retracted':
      return <>{source} retracted a claim on {title}</>;
    case 'status-changed':
      return <>{title}: {change.status?.from ?? 'new'} → {change.status?.to}</>;
    case 'estimate-changed':
      return (
        <>
          {title}: estimate of {change.estimate?.measure} now{' '}
          {change.estimate?.low === null || change.estimate?.low === undefined
            ? 'withdrawn'
            : rangeText(change.estimate.low, change.estimate.high ?? change.estimate.low, change.estimate.unit)}
        </>
      );
  }
}

export const rangeText = (low: number, high: number, unit: string): string =>
  low === high ? `${low.toLocaleString('en')} ${unit}` : `${low.toLocaleString('en')}–${high.toLocaleString('en')} ${unit}`;
