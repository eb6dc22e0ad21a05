import { Kysely } from 'kysely';

/**
 * The bitemporal knowledge read model. `sys_from`/`sys_to` are transaction time (epoch ms, `sys_to`
 * exclusive, 2^53-1 while current); `known_from`/`known_to` are knowledge time likewise. An open end
 * is a number, not NULL, so "current at R" is one range condition an index can serve. Every row
 * names the log `position` that produced it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('projection_checkpoints')
    .addColumn('projection', 'text', (col) => col.primaryKey())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('recorded_at', 'text')
    .execute();

  await db.schema
    .createTable('sources')
    .addColumn('source_id', 'text', (col) => col.primaryKey())
    .addColumn('profile', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('development_versions')
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .addColumn('fields', 'text', (col) => col.notNull())
    .addColumn('occurred_sort', 'bigint', (col) => col.notNull())
    .addColumn('occurred_start', 'bigint')
    .addColumn('occurred_end', 'bigint')
    .addPrimaryKeyConstraint('development_versions_pk', ['development_id', 'position'])
    .execute();
  await db.schema
    .createIndex('development_versions_current')
    .on('development_versions')
    .columns(['development_id', 'sys_to'])
    .execute();
  await db.schema
    .createIndex('development_versions_order')
    .on('development_versions')
    .columns(['occurred_sort', 'development_id'])
    .execute();

  await db.schema
    .createTable('development_topics')
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('development_topics_by_topic')
    .on('development_topics')
    .columns(['topic', 'sys_to', 'development_id'])
    .execute();

  await db.schema
    .createTable('claim_versions')
    .addColumn('claim_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .addColumn('reported_at_ms', 'bigint', (col) => col.notNull())
    .addColumn('fields', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('claim_versions_pk', ['claim_id', 'position'])
    .execute();
  await db.schema
    .createIndex('claim_versions_by_development')
    .on('claim_versions')
    .columns(['development_id', 'sys_to'])
    .execute();
  await db.schema.createIndex('claim_versions_by_time').on('claim_versions').columns(['reported_at_ms']).execute();

  await db.schema
    .createTable('claim_retractions')
    .addColumn('claim_id', 'text', (col) => col.primaryKey())
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('reported_at', 'text', (col) => col.notNull())
    .addColumn('reported_at_ms', 'bigint', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('claim_retractions_by_development')
    .on('claim_retractions')
    .columns(['development_id'])
    .execute();
  await db.schema
    .createIndex('claim_retractions_by_time')
    .on('claim_retractions')
    .columns(['reported_at_ms'])
    .execute();

  await db.schema
    .createTable('status_segments')
    .addColumn('development_id', 'text', (col) => col.notNull())
    .addColumn('known_from', 'bigint', (col) => col.notNull())
    .addColumn('known_to', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('sys_to', 'bigint', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('previous_status', 'text')
    .addColumn('summary', 'text', (col) => col.notNull())
    .addColumn('known_from_text', 'text', (col) => col.notNull())
    .addColumn('first_reported_at', 'text', (col) => col.notNull())
    .addColumn('last_reported_at', 'text', (col) => col.notNull())
    .addColumn('cause_position', 'bigint', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('status_segments_by_development')
    .on('status_segments')
    .columns(['development_id', 'sys_to', 'known_from'])
    .execute();
  await db.schema
    .createIndex('status_segments_by_time')
    .on('status_segments')
    .columns(['known_from'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'status_segments',
    'claim_retractions',
    'claim_versions',
    'development_topics',
    'development_versions',
    'sources',
    'projection_checkpoints',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
