import { ClaimCorrected, ClaimFields, ClaimReported, ClaimRetracted } from '../../domain/development/development.events';
import { correctedClaim } from '../../domain/development/claim-input';
import { timeMs } from '../../domain/knowledge/development-view';
import { storedTerms } from '../../domain/knowledge/search-terms';
import { insertRows } from '../../database/compiled-query';
import { ReadModelTransaction } from '../../database/read-model-database';
import { CLAIM_VERSIONS, NextVersion, currentVersion, supersede } from './bitemporal.tables';
import { RecordedClaimsCache } from './recorded-claims.cache';

/**
 * `claim_versions` over transaction time (each version with the search terms of its quote in
 * `claim_terms`) and `claim_retractions` (a claim is retracted once). Answers the earliest
 * knowledge time the change touches: the development's knowledge before it is as it was. Tells
 * `kept` each row it writes.
 */
export async function projectClaim(
  trx: ReadModelTransaction,
  event: ClaimReported | ClaimCorrected | ClaimRetracted,
  position: number,
  at: number,
  kept: RecordedClaimsCache,
): Promise<number> {
  switch (event.type) {
    case 'ClaimReported': {
      const { developmentId, claimId, ...fields } = event.data;
      const version = claimVersion(developmentId, claimId, fields, position);
      await supersede(trx, CLAIM_VERSIONS, at, { insert: [version] });
      await insertQuoteTerms(trx, claimId, fields, position);
      keepVersion(kept, version);
      return Number(version.reported_at_ms);
    }
    case 'ClaimCorrected': {
      const { developmentId, claimId, changes } = event.data;
      const current = await currentVersion(trx, CLAIM_VERSIONS, { claim_id: claimId }, ['fields', 'reported_at_ms']);
      const fields = correctedClaim(JSON.parse(current.fields) as ClaimFields, changes);
      const version = claimVersion(developmentId, claimId, fields, position);
      await supersede(trx, CLAIM_VERSIONS, at, { close: { claim_id: claimId }, insert: [version] });
      await insertQuoteTerms(trx, claimId, fields, position);
      keepVersion(kept, version);
      // Known from its old time until now, from its new one from now on.
      return Math.min(Number(current.reported_at_ms), Number(version.reported_at_ms));
    }
    case 'ClaimRetracted': {
      const { developmentId, claimId, reportedAt, reason } = event.data;
      await insertRows(trx, 'claim_retractions', [
        {
          claim_id: claimId,
          development_id: developmentId,
          position,
          sys_from: at,
          reported_at: reportedAt,
          reported_at_ms: timeMs(reportedAt),
          reason,
        },
      ]);
      kept.retraction(developmentId, { claim_id: claimId, reported_at: reportedAt, position });
      return timeMs(reportedAt);
    }
  }
}

function claimVersion(developmentId: string, claimId: string, fields: ClaimFields, position: number): NextVersion<'claim_versions'> {
  return {
    claim_id: claimId,
    position,
    development_id: developmentId,
    source_id: fields.sourceId,
    reported_at_ms: timeMs(fields.reportedAt),
    fields: JSON.stringify(fields),
  };
}

const keepVersion = (kept: RecordedClaimsCache, { development_id, claim_id, source_id, fields, position }: NextVersion<'claim_versions'>) =>
  kept.claimVersion(development_id, { claim_id, source_id, fields, position });

/** The search terms of a claim version's quote, keyed to its row (`claim_id`, `position`); none, no row. */
async function insertQuoteTerms(trx: ReadModelTransaction, claimId: string, fields: ClaimFields, position: number): Promise<void> {
  const terms = storedTerms([fields.quote]);
  if (terms.length > 0) await insertRows(trx, 'claim_terms', [{ claim_id: claimId, position, terms }]);
}
