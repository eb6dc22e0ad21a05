import { api, answer, timeQuery, type Change, type Source } from './api';
import { periodEndMs, readableDate } from './dates';
import { useLoad } from './load';
import { Link, useNavigation } from './navigation';
import { quantityText, rangeText } from './quantities';
import { stanceVerb } from './status';

/**
 * What became known after `since` up to `to` (the as-of), day by day, in sentences. Titles are the
 * ones known at `to`: the timeline's when it is the same query (`titles`), else loaded here.
 */
export function ChangesPanel(props: { to: string; since: string; titles: ReadonlyMap<string, string> | undefined; sources: ReadonlyMap<string, Source> }) {
  const { view, go } = useNavigation();
  const { to, since } = props;
  const inOrder = (periodEndMs(since) ?? 0) < (periodEndMs(to) ?? 0);
  const recorded = timeQuery(undefined, view.recordedAsOf);
  const topic = view.topic ? { topic: view.topic } : {};
  const changes = useLoad(inOrder ? JSON.stringify(['changes', since, to, view.recordedAsOf, view.topic]) : undefined, (signal) =>
    answer(api.GET('/v1/knowledge/changes', { params: { query: { from: since, to, ...recorded, ...topic } }, signal })),
  );
  const known = useLoad(props.titles ? undefined : JSON.stringify(['titles', to, view.recordedAsOf, view.topic]), (signal) =>
    answer(api.GET('/v1/knowledge', { params: { query: { asOf: to, ...recorded, ...topic, limit: '500' } }, signal })),
  );
  const titles = props.titles ?? new Map((known.data?.items ?? []).map((item) => [item.id, item.title]));
  const days = inOrder ? groupByDay(changes.data?.items ?? []) : [];
  return (
    <section class="panel changes" aria-labelledby="changes-heading" data-testid="changes">
      <h2 id="changes-heading" tabIndex={-1}>
        What changed
      </h2>
      <p class="window">
        <label>
          after{' '}
          <input type="date" data-testid="since" value={since.slice(0, 10)} onChange={(event) => go({ ...view, since: event.currentTarget.value || undefined })} />
        </label>{' '}
        up to {readableDate(to)}
      </p>
      {!inOrder && <p class="note">The window starts after the as-of date: pick an earlier start.</p>}
      {changes.error && <p class="error">{changes.error.message}</p>}
      {inOrder && changes.data && days.length === 0 && <p class="empty">Nothing became known in this window.</p>}
      {days.map(([day, items]) => (
        <div key={day} class="change-day">
          <h3>{readableDate(day)}</h3>
          <ul>
            {items.map((change, i) => (
              <li key={`${change.position}-${change.kind}-${i}`} data-testid="change" data-kind={change.kind} data-at={change.at} data-stance={change.stance}>
                <ChangeLine change={change} titles={titles} sources={props.sources} />
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
  const title = <Link to={{ page: 'development', id: change.developmentId }}>{props.titles.get(change.developmentId) ?? change.developmentId}</Link>;
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
      return (
        <>
          {source} {change.stance ? stanceVerb(change.stance, change.likelihood) : 'reported on'}: {title}
          {change.quantity ? ` (${quantityText(change.quantity)})` : ''}
        </>
      );
    case 'claim-retracted':
      return <>{source} retracted a claim on {title}</>;
    case 'status-changed':
      return <>{title}: {change.status?.from ?? 'new'} → {change.status?.to}</>;
    case 'estimate-changed': {
      const estimate = change.estimate;
      if (!estimate || estimate.low === null) return <>{title}: every figure stated for {estimate?.measure} is now withdrawn</>;
      const high = estimate.high ?? estimate.low;
      return (
        <>
          {title}: the figures stated for {estimate.measure} now {estimate.low === high ? 'stand at' : 'run from'} {rangeText(estimate.low, high, estimate.unit)}
        </>
      );
    }
  }
}
