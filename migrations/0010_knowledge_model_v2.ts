import { Kysely } from 'kysely';
import { rebuildKnowledgeFromLog } from './knowledge-rebuild';

/**
 * Knowledge model v2 (SPEC §2): a development's description is known in knowledge time (revisions),
 * so what `/v1/knowledge` orders and filters by (occurred, topics) is held per stretch of knowledge
 * time, and status summaries carry stances, origins and estimates by measure.
 *
 * - `development_versions`: the description as first recorded, over transaction time (corrections).
 * - `development_revisions`: each revision, over transaction time (its corrections), with its knowledge time.
 * - `description_segments`: the description over knowledge time [known_from, known_to), as recorded
 *   over transaction time; what pages are ordered by (`occurred_sort`) and filtered on.
 * - `development_topics`: one row per topic of each description segment, so a topic filter is an index lookup.
 *
 * The read model is derived: every knowledge table is emptied and the knowledge projection's
 * checkpoint removed, so the projection rebuilds from the log (through the upcasters) on start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('development_versions').execute();
  await db.schema.dropTable('development_topics').execute();

  await db.schema
    .createTable('development_versions')
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .addColumn('fields', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('development_versions_pk', ['development_id', 'position'])
    .execute();
  await db.schema.createIndex('development_versions_current').on('development_versions').columns(['development_id', 'sys_to']).execute();

  await db.schema
    .createTable('development_revisions')
    .addColumn('revision_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .addColumn('reported_at', 'text', (col) => col.notNull())
    .addColumn('reported_at_ms', 'bigint', (col) => col.notNull())
    .addColumn('recorded_order', 'bigint', (col) => col.notNull())
    .addColumn('changes', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('development_revisions_pk', ['revision_id', 'position'])
    .execute();
  await db.schema.createIndex('development_revisions_by_development').on('development_revisions').columns(['development_id', 'sys_to']).execute();

  await db.schema
    .createTable('description_segments')
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('known_from', 'bigint', (col) => col.notNull())
    .addColumn('known_to', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .addColumn('fields', 'text', (col) => col.notNull())
    .addColumn('occurred_sort', 'bigint', (col) => col.notNull())
    .addColumn('occurred_start', 'bigint')
    .addColumn('occurred_end', 'bigint')
    .execute();
  await db.schema
    .createIndex('description_segments_by_development')
    .on('description_segments')
    .columns(['development_id', 'sys_to', 'known_from'])
    .execute();
  await db.schema.createIndex('description_segments_order').on('description_segments').columns(['occurred_sort', 'development_id']).execute();

  await db.schema
    .createTable('development_topics')
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('known_from', 'bigint', (col) => col.notNull())
    .addColumn('known_to', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('development_topics_by_topic').on('development_topics').columns(['topic', 'sys_to', 'development_id']).execute();
  await db.schema.createIndex('development_topics_by_development').on('development_topics').columns(['development_id', 'sys_to', 'known_from']).execute();

  // Named, not found by introspection (on PostgreSQL that lists every schema of the server); 0009 made source_ratings.
  await rebuildKnowledgeFromLog(db, ['sources', 'source_ratings', 'claim_versions', 'claim_retractions', 'status_segments']);
}

export async function down(): Promise<void> {
  throw new Error('0010_knowledge_model_v2 cannot be undone: the read model of version 1 is rebuilt by the code of version 1');
}
