import { api, answer, timeQuery, type Claim, type Development, type Source } from './api';
import { occurredText, periodEndMs, readableDate } from './dates';
import { byMeasure, EstimateChart } from './estimate-chart';
import { useLoad } from './load';
import { Link, useNavigation } from './navigation';
import { figureText, quantityText, rangeText } from './quantities';
import { STATUS_COLOURS, stancePhrase } from './status';
import { useFocusOnOpen } from './focus';

/** Only http(s) addresses become links: the API stores a publication's `url` as the editor gave it. */
const WEB_ADDRESS = /^https?:\/\//i;

/** One development as known at asOf: its description, status, claims with their sources, and its estimates over time. */
export function DevelopmentPanel(props: { id: string; sources: ReadonlyMap<string, Source> }) {
  const { view } = useNavigation();
  const times = timeQuery(view.asOf, view.recordedAsOf);
  const key = JSON.stringify([props.id, view.asOf, view.recordedAsOf]);
  const development = useLoad(key, (signal) =>
    answer(api.GET('/v1/developments/{id}', { params: { path: { id: props.id }, query: times }, signal })),
  );
  const estimates = useLoad(key, (signal) =>
    answer(
      api.GET('/v1/developments/{id}/estimates', {
        params: { path: { id: props.id }, query: { ...(view.asOf ? { to: view.asOf } : {}), ...(view.recordedAsOf ? { recordedAsOf: view.recordedAsOf } : {}) } },
        signal,
      }),
    ),
  );
  const back = <Link to={{ page: 'timeline' }} class="back">← timeline</Link>;
  const heading = useFocusOnOpen(development.data?.title ?? (development.error ? 'not known' : undefined), view.asOf);
  if (development.error) {
    return (
      <section class="panel development" data-testid="development">
        {back}
        <p class="error" data-testid="development-error">
          {development.error.status === 404 ? `Not known ${view.asOf ? `as of ${readableDate(view.asOf)}` : 'now'}: ` : ''}
          {development.error.message}
        </p>
      </section>
    );
  }
  const item = development.data;
  if (!item) return <section class="panel development" aria-busy="true">{back}<p>Loading…</p></section>;
  // The chart runs to the as-of instant (now, without one): the last state holds until then, as far as is known.
  const untilMs = (view.asOf ? periodEndMs(view.asOf) : undefined) ?? Date.now();
  return (
    <section class="panel development" aria-labelledby="development-title" data-testid="development" data-id={item.id}>
      {back}
      <h2 id="development-title" tabIndex={-1} ref={heading}>
        {item.title}
      </h2>
      <p class="facts">
        <span class="badge" style={{ backgroundColor: STATUS_COLOURS[item.status] }} data-testid="development-status">
          {item.status}
        </span>{' '}
        {occurredText(item.occurred) ? (
          <>
            occurred {item.occurred?.label ? `${item.occurred.label}: ` : ''}
            {occurredText(item.occurred)}
            {item.occurred?.edtf && <code title="EDTF (ISO 8601-2)">{item.occurred.edtf}</code>}
          </>
        ) : (
          'date of occurrence not known'
        )}
        {item.location && <> · {item.location}</>}
      </p>
      {item.summary && <p class="summary" data-testid="development-summary">{item.summary}</p>}
      <dl class="meta">
        {item.actors.length > 0 && (<><dt>Actors</dt><dd>{item.actors.join(', ')}</dd></>)}
        {item.topics.length > 0 && (
          <>
            <dt>Topics</dt>
            <dd>
              {item.topics.map((topic) => (
                <Link key={topic} to={{ ...view, route: { page: 'timeline' }, topic }} class="topic">{topic}</Link>
              ))}
            </dd>
          </>
        )}
        <dt>Reported</dt>
        <dd>
          first {readableDate(item.firstReportedAt)}, last {readableDate(item.lastReportedAt)}
        </dd>
        <Stances item={item} sources={props.sources} />
      </dl>
      {item.estimates.length > 0 && (
        <ul class="estimates-now">
          {item.estimates.map((estimate) => (
            <li key={`${estimate.measure}-${estimate.unit}`} data-testid="estimate-now">
              {estimate.measure}:{' '}
              <strong>{estimate.figures.length === 1 ? figureText(estimate.figures[0], estimate.unit) : rangeText(estimate.low, estimate.high, estimate.unit)}</strong>{' '}
              ({estimate.figures.map((figure) => `${props.sources.get(figure.sourceId)?.name ?? figure.sourceId}: ${figureText(figure, estimate.unit)}`).join('; ')})
            </li>
          ))}
        </ul>
      )}
      {byMeasure(estimates.data?.items ?? []).map((series) => (
        <EstimateChart key={`${series.measure}-${series.unit}`} series={series} sources={props.sources} untilMs={untilMs} />
      ))}
      <h3>Claims ({item.claims.length})</h3>
      <ol class="claims">
        {item.claims.map((claim) => (
          <ClaimItem key={claim.id} claim={claim} sources={props.sources} repeats={item.claims.find((other) => other.id === claim.derivedFrom)} />
        ))}
      </ol>
    </section>
  );
}

function Stances(props: { item: Development; sources: ReadonlyMap<string, Source> }) {
  const name = (id: string) => props.sources.get(id)?.name ?? id;
  const { item } = props;
  const rows: [string, string[]][] = [
    ['Asserted by', item.assertedBy.map(name)],
    ['Confirmed by', item.confirmedBy.map(name)],
    ['Denied by', item.deniedBy.map(name)],
    ['Assessed by', item.assessedBy.map((assessment) => `${name(assessment.sourceId)} (${assessment.likelihood})`)],
    ['No evidence, says', item.noEvidenceBy.map(name)],
  ];
  return (
    <>
      {rows
        .filter(([, names]) => names.length > 0)
        .map(([label, names]) => (
          <>
            <dt key={`${label}-t`}>{label}</dt>
            <dd key={`${label}-d`}>{names.join('; ')}</dd>
          </>
        ))}
    </>
  );
}

function ClaimItem(props: { claim: Claim; sources: ReadonlyMap<string, Source>; repeats: Claim | undefined }) {
  const { claim } = props;
  const source = claim.source;
  return (
    <li class={`claim stance-${claim.stance}`} data-testid="claim" data-id={claim.id}>
      <p class="claim-head">
        <Link to={{ page: 'source', id: source.id }} class="source-name">{source.name ?? source.id}</Link>
        <span class="source-kind">{source.kind ?? 'unregistered'}</span>
        <span class="reliability" title="reliability of the source as rated by this date (A reliable … F cannot be judged)" data-testid="claim-reliability">
          reliability {source.reliability ?? 'not rated'}
        </span>
      </p>
      <p>
        <strong data-testid="claim-stance">{stancePhrase(claim.stance, claim.likelihood)}</strong>
        {claim.quantity && <>: {quantityText(claim.quantity)}</>} · reported {readableDate(claim.reportedAt)}
      </p>
      {claim.quote && <blockquote>{claim.quote}</blockquote>}
      {claim.via.length > 0 && (
        <p class="via" data-testid="claim-via">
          via {claim.via.map((id) => props.sources.get(id)?.name ?? id).join(' → ')}
        </p>
      )}
      {claim.derivedFrom && (
        <p class="via">
          repeats{' '}
          {props.repeats
            ? `${props.repeats.source.name ?? props.repeats.source.id}'s claim of ${readableDate(props.repeats.reportedAt)}`
            : `claim ${claim.derivedFrom}`}
          : not a second origin
        </p>
      )}
      {claim.publication && (
        <p class="publication">
          {claim.publication.url && WEB_ADDRESS.test(claim.publication.url) ? (
            <a href={claim.publication.url} rel="noreferrer noopener" target="_blank">{claim.publication.title ?? claim.publication.url}</a>
          ) : (
            claim.publication.title ?? claim.publication.url
          )}
          {claim.publication.publishedAt && <>, {readableDate(claim.publication.publishedAt)}</>}
        </p>
      )}
    </li>
  );
}
