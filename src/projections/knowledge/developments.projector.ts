import { DevelopmentCorrected, DevelopmentFields, DevelopmentRecorded, DevelopmentRevised } from '../../domain/development/development.events';
import { timeMs } from '../../domain/knowledge/development-view';
import { ReadModelTransaction } from '../../database/read-model-database';
import { DEVELOPMENT_REVISIONS, DEVELOPMENT_VERSIONS, currentVersion, supersede } from './bitemporal.tables';

/**
 * `development_versions` (the description as first recorded) and `development_revisions`, each over
 * transaction time: a correction mends the one it names. The description over knowledge time is
 * re-derived from them by the description timeline.
 */
export async function projectDevelopment(
  trx: ReadModelTransaction,
  event: DevelopmentRecorded | DevelopmentRevised | DevelopmentCorrected,
  position: number,
  at: number,
): Promise<void> {
  switch (event.type) {
    case 'DevelopmentRecorded': {
      const { developmentId, ...fields } = event.data;
      await supersede(trx, DEVELOPMENT_VERSIONS, at, { insert: [{ development_id: developmentId, position, fields: JSON.stringify(fields) }] });
      return;
    }
    case 'DevelopmentRevised': {
      const { developmentId, revisionId, changes, reportedAt } = event.data;
      await supersede(trx, DEVELOPMENT_REVISIONS, at, {
        insert: [
          {
            revision_id: revisionId,
            position,
            development_id: developmentId,
            reported_at: reportedAt,
            reported_at_ms: timeMs(reportedAt),
            recorded_order: position,
            changes: JSON.stringify(changes),
          },
        ],
      });
      return;
    }
    case 'DevelopmentCorrected': {
      const { developmentId, revisionId, changes } = event.data;
      if (revisionId === undefined) {
        const current = await currentVersion(trx, DEVELOPMENT_VERSIONS, { development_id: developmentId }, ['fields']);
        const fields: DevelopmentFields = { ...(JSON.parse(current.fields) as DevelopmentFields), ...changes };
        await supersede(trx, DEVELOPMENT_VERSIONS, at, {
          close: { development_id: developmentId },
          insert: [{ development_id: developmentId, position, fields: JSON.stringify(fields) }],
        });
        return;
      }
      const revision = await currentVersion(trx, DEVELOPMENT_REVISIONS, { revision_id: revisionId }, ['reported_at', 'reported_at_ms', 'recorded_order', 'changes']);
      await supersede(trx, DEVELOPMENT_REVISIONS, at, {
        close: { revision_id: revisionId },
        insert: [
          {
            ...revision,
            revision_id: revisionId,
            position,
            development_id: developmentId,
            changes: JSON.stringify({ ...(JSON.parse(revision.changes) as Partial<DevelopmentFields>), ...changes }),
          },
        ],
      });
      return;
    }
  }
}
