import { compiledRows } from '../../database/compiled-query';
import { ReadModelTransaction } from '../../database/read-model-database';
import { FOREVER } from '../../database/schema';
import { STATUS_SEGMENTS, supersede } from './bitemporal.tables';
import { AffiliationOf } from '../../domain/knowledge/development-view';
import { SourceProfile, originOfSource } from '../../domain/source/source.events';
import { KeptClaims, RecordedClaimsCache } from './recorded-claims.cache';
import { statusSegmentDiff } from './status-segments.diff';

/**
 * `status_segments`: re-derives the development's status timeline from `changedFromMs` on (the
 * earliest knowledge time its claims changed at, see {@link statusSegmentDiff}) and replaces only
 * the segments that changed. Its claims as `kept` (the projection's last batch left them), else read.
 */
export async function refreshStatusTimeline(
  trx: ReadModelTransaction,
  developmentId: string,
  at: number,
  changedFromMs: number,
  kept: RecordedClaimsCache,
): Promise<void> {
  // Bound as a number both stores compare with an integer column: "every segment" when the change has no time.
  const changedFrom = Number.isFinite(changedFromMs) ? changedFromMs : Number.MIN_SAFE_INTEGER;
  const recorded = kept.get(developmentId) ?? kept.keep(developmentId, await recordedClaims(trx, developmentId));
  const current = await compiledRows(trx, 'status segments', () => currentSegmentsFrom(trx, developmentId, changedFrom), [
    developmentId,
    FOREVER,
    changedFrom,
    developmentId,
    FOREVER,
    changedFrom,
    Number.MIN_SAFE_INTEGER,
  ]);
  const diff = statusSegmentDiff(developmentId, recorded, current, await affiliations(trx, recorded.claims, kept), changedFrom);
  await supersede(trx, STATUS_SEGMENTS, at, { close: { development_id: developmentId, known_from: diff.close }, insert: diff.insert });
}

/**
 * The development's current status segments that end at or after `changedFrom` (`known_to >= ?`):
 * those a re-derivation from `changedFrom` may replace. No index leads with `known_to`, so the query
 * also bounds `known_from`, on which both stores' indexes that lead with `(development_id, sys_to,
 * known_from)` seek: from the start of the last segment that starts before `changedFrom` (every
 * segment, if none does). A development's current segments never overlap (a derivation replaces
 * every segment that ends at or after where it starts), so none that ends at or after `changedFrom`
 * starts before that one, and the bound leaves none out. Without it the read went through every
 * current segment of the development: 0.5–0.8 ms a write at 2,000 instants on SQLite.
 */
export function currentSegmentsFrom(trx: ReadModelTransaction, developmentId: string, changedFrom: number) {
  return trx
    .selectFrom('status_segments')
    .select([
      'development_id',
      'known_from',
      'known_to',
      'status',
      'previous_status',
      'summary',
      'known_from_text',
      'first_reported_at',
      'last_reported_at',
      'cause_position',
    ])
    .where('development_id', '=', developmentId)
    .where('sys_to', '=', FOREVER)
    .where('known_to', '>=', changedFrom)
    .where('known_from', '>=', (eb) =>
      eb.fn.coalesce(
        eb
          .selectFrom('status_segments as earlier')
          .select((inner) => inner.fn.max('earlier.known_from').as('start'))
          .where('earlier.development_id', '=', developmentId)
          .where('earlier.sys_to', '=', FOREVER)
          .where('earlier.known_from', '<', changedFrom),
        eb.val(Number.MIN_SAFE_INTEGER),
      ),
    );
}

/** A development's current claim versions, its retractions and the claim it was recorded with, as the read model holds them. */
async function recordedClaims(trx: ReadModelTransaction, developmentId: string): Promise<KeptClaims> {
  const claims = await compiledRows(
    trx,
    'status claims',
    () => trx.selectFrom('claim_versions').select(['claim_id', 'source_id', 'fields', 'position']).where('development_id', '=', developmentId).where('sys_to', '=', FOREVER),
    [developmentId, FOREVER],
  );
  const retractions = await compiledRows(
    trx,
    'status retractions',
    () => trx.selectFrom('claim_retractions').select(['claim_id', 'reported_at', 'position']).where('development_id', '=', developmentId),
    [developmentId],
  );
  // The claim it was recorded with: the first claim version of the development ever written.
  const [first] = await compiledRows(
    trx,
    'status first claim',
    () => trx.selectFrom('claim_versions').select('claim_id').where('development_id', '=', developmentId).orderBy('position').limit(1),
    [developmentId, 1],
  );
  if (!first) throw new Error(`development ${developmentId} has no claim`);
  return { firstClaimId: first.claim_id, claims, retractions };
}

/**
 * The developments whose current claims name `sourceId`: a source registered after claims naming it
 * (a log imported from elsewhere; the API refuses such claims) gives them its affiliation as origin
 * from then on, at every knowledge time, so their status timelines are derived again whole.
 */
export async function developmentsNaming(trx: ReadModelTransaction, sourceId: string): Promise<string[]> {
  const rows = await compiledRows(
    trx,
    'developments naming a source',
    () => trx.selectFrom('claim_versions').select('development_id').distinct().where('source_id', '=', sourceId).where('sys_to', '=', FOREVER),
    [sourceId, FOREVER],
  );
  return rows.map((row) => row.development_id);
}

/**
 * The origin of each source the claims name: its affiliation, else itself (sources are registered
 * before they are named; one that is not has no origin yet). Those `kept` does not know are read.
 */
async function affiliations(trx: ReadModelTransaction, claims: readonly { source_id: string }[], kept: RecordedClaimsCache): Promise<AffiliationOf> {
  const origin = new Map<string, string>();
  const unknown: string[] = [];
  for (const sourceId of new Set(claims.map((claim) => claim.source_id))) {
    const known = kept.originOf(sourceId);
    if (known === undefined) unknown.push(sourceId);
    else origin.set(sourceId, known);
  }
  const rows =
    unknown.length === 0
      ? []
      : await compiledRows(trx, `status sources × ${unknown.length}`, () => trx.selectFrom('sources').select(['source_id', 'profile']).where('source_id', 'in', unknown), unknown);
  for (const row of rows) {
    const read = originOfSource({ id: row.source_id, ...(JSON.parse(row.profile) as SourceProfile) });
    origin.set(row.source_id, read);
    kept.keepOrigin(row.source_id, read);
  }
  return (sourceId) => origin.get(sourceId) ?? sourceId;
}
