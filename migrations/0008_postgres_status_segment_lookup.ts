import { Kysely, PostgresAdapter } from 'kysely';

/**
 * PostgreSQL only: the index `/v1/knowledge` finds a development's status segment at (asOf,
 * recordedAsOf) by holds every column the lookup tests, so the B-tree checks all of them on index
 * entries and reads only the matching segment's row, not each of the development's earlier
 * segments (for a page of 100 developments at 100k claims, 2.1 → 1.0 ms of execution). It replaces
 * `status_segments_by_development` (0002), whose columns lead it. SQLite keeps its index as measured.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema
    .createIndex('status_segments_at_point')
    .on('status_segments')
    .columns(['development_id', 'sys_to', 'known_from', 'known_to', 'sys_from'])
    .execute();
  await db.schema.dropIndex('status_segments_by_development').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema.createIndex('status_segments_by_development').on('status_segments').columns(['development_id', 'sys_to', 'known_from']).execute();
  await db.schema.dropIndex('status_segments_at_point').execute();
}
