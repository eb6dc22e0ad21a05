import { SourceEvent } from '../../domain/source/source.events';
import { parseReportedTime } from '../../domain/shared/time';
import { ReadModelTransaction } from '../../database/read-model-database';

/**
 * `sources`: one row per registered source, never versioned (a source's profile is not corrected),
 * with the transaction time it was recorded; `source_ratings`: one row per rating, only inserted.
 * Both idempotent by position.
 */
export async function projectSource(trx: ReadModelTransaction, event: SourceEvent, position: number, at: number): Promise<void> {
  switch (event.type) {
    case 'SourceRegistered': {
      const { sourceId, ...profile } = event.data;
      await trx
        .insertInto('sources')
        .values({ source_id: sourceId, profile: JSON.stringify(profile), position, sys_from: at })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      return;
    }
    case 'SourceRated': {
      const { sourceId, reliability, reportedAt, reason } = event.data;
      await trx
        .insertInto('source_ratings')
        .values({
          source_id: sourceId,
          position,
          sys_from: at,
          reported_at: reportedAt,
          reported_at_ms: parseReportedTime(reportedAt)?.ms ?? Number.NaN,
          reliability,
          reason,
        })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      return;
    }
  }
}
