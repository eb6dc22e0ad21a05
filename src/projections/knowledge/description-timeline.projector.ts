import { DevelopmentFields } from '../../domain/development/development.events';
import { occurredRange } from '../../domain/knowledge/knowledge.query';
import { descriptionTimeline } from '../../domain/knowledge/description-timeline';
import { topicKey } from '../../domain/knowledge/topics';
import { storedTerms } from '../../domain/knowledge/search-terms';
import { compiledRows, insertRows } from '../../database/compiled-query';
import { ReadModelTransaction } from '../../database/read-model-database';
import { FOREVER } from '../../database/schema';
import { changedSegments } from './status-segments.diff';
import { DESCRIPTION_SEGMENTS, DEVELOPMENT_TOPICS, NextVersion, supersede } from './bitemporal.tables';

type SegmentRow = NextVersion<'description_segments'>;

/**
 * `description_segments` with their `development_topics` and `description_terms`: re-derives the description over knowledge
 * time from the description first recorded and the revisions, and replaces only the segments that
 * changed (with their topics).
 */
export async function refreshDescriptionTimeline(trx: ReadModelTransaction, developmentId: string, at: number): Promise<void> {
  const [base] = await compiledRows(
    trx,
    'description base',
    () => trx.selectFrom('development_versions').select('fields').where('development_id', '=', developmentId).where('sys_to', '=', FOREVER),
    [developmentId, FOREVER],
  );
  if (!base) throw new Error(`development ${developmentId} has no current description`);
  const revisions = await compiledRows(
    trx,
    'description revisions',
    () =>
      trx
        .selectFrom('development_revisions')
        .select(['revision_id', 'reported_at', 'reported_at_ms', 'changes'])
        .where('development_id', '=', developmentId)
        .where('sys_to', '=', FOREVER)
        .orderBy('recorded_order'),
    [developmentId, FOREVER],
  );
  const current = await compiledRows(
    trx,
    'description segments',
    () =>
      trx
        .selectFrom('description_segments')
        .select(['development_id', 'known_from', 'known_to', 'sys_from', 'fields', 'occurred_sort', 'occurred_start', 'occurred_end'])
        .where('development_id', '=', developmentId)
        .where('sys_to', '=', FOREVER),
    [developmentId, FOREVER],
  );
  const next = descriptionTimeline(
    JSON.parse(base.fields) as DevelopmentFields,
    revisions.map((row) => ({
      revisionId: row.revision_id,
      reportedAt: row.reported_at,
      reportedAtMs: Number(row.reported_at_ms),
      changes: JSON.parse(row.changes) as Partial<DevelopmentFields>,
    })),
  ).map((segment): SegmentRow => {
    const range = occurredRange(segment.fields.occurred);
    return {
      development_id: developmentId,
      known_from: segment.knownFromMs,
      known_to: segment.knownToMs ?? FOREVER,
      fields: JSON.stringify(segment.fields),
      occurred_sort: range.sortKey,
      occurred_start: range.startMs,
      occurred_end: range.endMs,
    };
  });
  const { closed, insert } = changedSegments(current, next, segmentKey);
  const close = closed.map((row) => Number(row.known_from));
  await supersede(trx, DESCRIPTION_SEGMENTS, at, { close: { development_id: developmentId, known_from: close }, insert });
  await replaceSearchTerms(trx, developmentId, at, closed, insert);
  await supersede(trx, DEVELOPMENT_TOPICS, at, {
    close: { development_id: developmentId, known_from: close },
    insert: insert.flatMap((row) =>
      [...new Set((JSON.parse(row.fields) as DevelopmentFields).topics ?? [])].map((topic) => ({
        topic,
        topic_key: topicKey(topic),
        development_id: developmentId,
        known_from: row.known_from,
        known_to: row.known_to,
      })),
    ),
  });
}

/**
 * The search terms of the inserted segments' titles and summaries, keyed to their rows
 * (`development_id`, `known_from`, `sys_from` = `at`). A segment closed at the instant it was
 * inserted (re-derived twice at one transaction time, by two appends in one millisecond) is current
 * at no `recordedAsOf`, and the segment replacing it has the same key: its terms are deleted so a
 * key names one row's terms. (Rare, and the only delete: on SQLite it scans the FTS table.)
 */
async function replaceSearchTerms(
  trx: ReadModelTransaction,
  developmentId: string,
  at: number,
  closed: readonly { known_from: unknown; sys_from: unknown }[],
  inserted: readonly SegmentRow[],
): Promise<void> {
  const never = closed.filter((row) => Number(row.sys_from) === at).map((row) => Number(row.known_from));
  if (never.length > 0) {
    await trx
      .deleteFrom('description_terms')
      .where('development_id', '=', developmentId)
      .where('known_from', 'in', never)
      .where('sys_from', '=', at)
      .execute();
  }
  await insertRows(
    trx,
    'description_terms',
    inserted.map((row) => {
      const { title, summary } = JSON.parse(row.fields) as DevelopmentFields;
      return { development_id: developmentId, known_from: row.known_from, sys_from: at, terms: storedTerms([title, summary]) };
    }),
  );
}

/** Every column, with PostgreSQL's bigint strings read as numbers. */
const segmentKey = (row: Omit<SegmentRow, 'position'>): string =>
  JSON.stringify([
    Number(row.known_from),
    Number(row.known_to),
    row.fields,
    Number(row.occurred_sort),
    row.occurred_start === null || row.occurred_start === undefined ? null : Number(row.occurred_start),
    row.occurred_end === null || row.occurred_end === undefined ? null : Number(row.occurred_end),
  ]);
