import { DevelopmentCorrected, DevelopmentFields, DevelopmentRecorded } from '../../domain/development/development.events';
import { occurredRange } from '../../domain/knowledge/knowledge.query';
import { ReadModelTransaction } from '../../database/read-model-database';
import { DEVELOPMENT_TOPICS, DEVELOPMENT_VERSIONS, NextVersion, currentVersion, supersede } from './bitemporal.tables';

/** `development_versions` and `development_topics`: a development's fields and topics over transaction time. */
export async function projectDevelopment(
  trx: ReadModelTransaction,
  event: DevelopmentRecorded | DevelopmentCorrected,
  position: number,
  at: number,
): Promise<void> {
  switch (event.type) {
    case 'DevelopmentRecorded': {
      const { developmentId, ...fields } = event.data;
      await supersede(trx, DEVELOPMENT_VERSIONS, at, { insert: [developmentVersion(developmentId, fields, position)] });
      await supersede(trx, DEVELOPMENT_TOPICS, at, topicChanges(developmentId, [], fields.topics ?? []));
      return;
    }
    case 'DevelopmentCorrected': {
      const { developmentId, changes } = event.data;
      const current = await currentVersion(trx, DEVELOPMENT_VERSIONS, { development_id: developmentId }, ['fields']);
      const before = JSON.parse(current.fields) as DevelopmentFields;
      await supersede(trx, DEVELOPMENT_VERSIONS, at, {
        close: { development_id: developmentId },
        insert: [developmentVersion(developmentId, { ...before, ...changes }, position)],
      });
      if (changes.topics) await supersede(trx, DEVELOPMENT_TOPICS, at, topicChanges(developmentId, before.topics ?? [], changes.topics));
      return;
    }
  }
}

function developmentVersion(developmentId: string, fields: DevelopmentFields, position: number): NextVersion<'development_versions'> {
  const range = occurredRange(fields.occurred);
  return {
    development_id: developmentId,
    position,
    fields: JSON.stringify(fields),
    occurred_sort: range.sortKey,
    occurred_start: range.startMs,
    occurred_end: range.endMs,
  };
}

/** Topics are rows of their own (so a topic filter is an index lookup): close the removed, insert the added. */
function topicChanges(developmentId: string, before: readonly string[], after: readonly string[]) {
  const removed = before.filter((topic) => !after.includes(topic));
  const added = [...new Set(after.filter((topic) => !before.includes(topic)))];
  return {
    close: { development_id: developmentId, topic: removed },
    insert: added.map((topic) => ({ topic, development_id: developmentId })),
  };
}
