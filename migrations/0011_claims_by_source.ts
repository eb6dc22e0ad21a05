import { Kysely } from 'kysely';
import { rebuildKnowledgeFromLog } from './knowledge-rebuild';

/**
 * Analyst questions (issue 14): who said what, and topics that ignore case.
 *
 * - `claim_versions.source_id`: the source of each claim version, indexed with `sys_to` and
 *   `reported_at_ms`, so everything one source said (`/v1/sources/:id/claims`, `sourceId=` on
 *   `/v1/knowledge`) is an index range, not a scan of every claim's JSON.
 * - `development_topics.topic_key`: the topic as matched (`topicKey`, lowercased in the projection,
 *   so SQLite and PostgreSQL compare the same text); `topic` keeps the spelling given.
 *
 * Both tables are recreated with their new column, and, as 0010 does, every knowledge table is
 * emptied and the knowledge projection's checkpoint removed: the projection rebuilds from the log on start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('claim_versions').execute();
  await db.schema
    .createTable('claim_versions')
    .addColumn('claim_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('source_id', 'text', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .addColumn('reported_at_ms', 'bigint', (col) => col.notNull())
    .addColumn('fields', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('claim_versions_pk', ['claim_id', 'position'])
    .execute();
  await db.schema.createIndex('claim_versions_by_development').on('claim_versions').columns(['development_id', 'sys_to']).execute();
  await db.schema.createIndex('claim_versions_by_time').on('claim_versions').columns(['reported_at_ms']).execute();
  await db.schema.createIndex('claim_versions_by_source').on('claim_versions').columns(['source_id', 'sys_to', 'reported_at_ms']).execute();

  await db.schema.dropTable('development_topics').execute();
  await db.schema
    .createTable('development_topics')
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('topic_key', 'text', (col) => col.notNull())
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('known_from', 'bigint', (col) => col.notNull())
    .addColumn('known_to', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('development_topics_by_key').on('development_topics').columns(['topic_key', 'sys_to', 'development_id']).execute();
  await db.schema.createIndex('development_topics_by_development').on('development_topics').columns(['development_id', 'sys_to', 'known_from']).execute();

  await rebuildKnowledgeFromLog(db, [
    'sources',
    'source_ratings',
    'development_versions',
    'development_revisions',
    'description_segments',
    'claim_retractions',
    'status_segments',
  ]);
}

export async function down(): Promise<void> {
  throw new Error('0011_claims_by_source cannot be undone: the read model before it is rebuilt by the code before it');
}
