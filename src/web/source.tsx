import { api, answer, timeQuery } from './api';
import { readableDate } from './dates';
import { useLoad } from './load';
import { Link, useNavigation } from './navigation';
import { quantityText } from './quantities';
import { stancePhrase } from './status';
import { useFocusOnOpen } from './focus';

/** Everything one source said, by date, as known at asOf, with its ratings. */
export function SourcePanel(props: { id: string }) {
  const { view } = useNavigation();
  const times = timeQuery(view.asOf, view.recordedAsOf);
  const key = JSON.stringify([props.id, view.asOf, view.recordedAsOf]);
  const source = useLoad(key, (signal) => answer(api.GET('/v1/sources/{id}', { params: { path: { id: props.id }, query: times }, signal })));
  const claims = useLoad(key, (signal) =>
    answer(api.GET('/v1/sources/{id}/claims', { params: { path: { id: props.id }, query: { ...times, limit: '500' } }, signal })),
  );
  const back = <Link to={{ page: 'timeline' }} class="back">← timeline</Link>;
  const heading = useFocusOnOpen(source.data?.name ?? (source.error ? 'not known' : undefined), view.asOf);
  if (source.error) {
    return (
      <section class="panel source" data-testid="source">
        {back}
        <p class="error">{source.error.message}</p>
      </section>
    );
  }
  const detail = source.data;
  const items = [...(claims.data?.items ?? [])].sort((a, b) => a.reportedAt.localeCompare(b.reportedAt));
  return (
    <section class="panel source" aria-labelledby="source-title" data-testid="source" data-id={props.id}>
      {back}
      <h2 id="source-title" tabIndex={-1} ref={heading}>
        {detail?.name ?? props.id}
      </h2>
      {detail && (
        <p class="facts">
          {detail.kind}
          {detail.country && <> · {detail.country}</>}
          {detail.affiliation && <> · affiliated with {detail.affiliation}</>} · reliability{' '}
          <strong data-testid="source-reliability">{detail.reliability ?? 'not rated'}</strong>
        </p>
      )}
      {detail && detail.ratings.length > 0 && (
        <ul class="ratings">
          {detail.ratings.map((rating, i) => (
            <li key={i}>
              {readableDate(rating.reportedAt)}: rated {rating.reliability} ({rating.reason})
            </li>
          ))}
        </ul>
      )}
      <h3>What it said ({items.length})</h3>
      {claims.error && <p class="error">{claims.error.message}</p>}
      <ol class="claims">
        {items.map((claim) => (
          <li key={claim.id} class={`claim stance-${claim.stance}`} data-testid="source-claim" data-id={claim.id}>
            <p class="claim-head">
              <span class="date">{readableDate(claim.reportedAt)}</span>{' '}
              <Link to={{ page: 'development', id: claim.developmentId }}>{claim.developmentTitle}</Link>
              {claim.retractedAt && <span class="retracted"> retracted {readableDate(claim.retractedAt)}</span>}
            </p>
            <p>
              <strong>{stancePhrase(claim.stance, claim.likelihood)}</strong>
              {claim.quantity && <>: {quantityText(claim.quantity)}</>}
            </p>
            {claim.quote && <blockquote>{claim.quote}</blockquote>}
          </li>
        ))}
      </ol>
    </section>
  );
}
