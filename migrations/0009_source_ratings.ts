import { Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Sources known in time. `source_ratings`: one row per `SourceRated`, with its knowledge time as
 * given (`reported_at`) and in epoch ms, and the transaction time it was recorded (`sys_from`); rows
 * are only inserted. `sources.sys_from`: when the registration was recorded, so a view as of an
 * earlier `recordedAsOf` does not list the source.
 *
 * WARNING: sources projected before this migration take `sys_from` from the `SourceRegistered`
 * in this database's own `events` table; where the log lives elsewhere (KurrentDB) they get 0 and
 * show at every `recordedAsOf`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('source_ratings')
    .addColumn('source_id', 'text', (col) => col.notNull())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('sys_from', 'bigint', (col) => col.notNull())
    .addColumn('reported_at', 'text', (col) => col.notNull())
    .addColumn('reported_at_ms', 'bigint', (col) => col.notNull())
    .addColumn('reliability', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('source_ratings_pk', ['source_id', 'position'])
    .execute();
  await db.schema
    .createIndex('source_ratings_by_time')
    .on('source_ratings')
    .columns(['source_id', 'reported_at_ms'])
    .execute();

  await db.schema
    .alterTable('sources')
    .addColumn('sys_from', 'bigint', (col) => col.notNull().defaultTo(0))
    .execute();
  const recordedMs = postgres
    ? sql`(extract(epoch from events.recorded_at::timestamptz) * 1000)::bigint`
    : sql`cast(round(unixepoch(events.recorded_at, 'subsec') * 1000) as integer)`;
  await sql`update sources set sys_from = coalesce((select ${recordedMs} from events where events.position = sources.position), 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('sys_from').execute();
  await db.schema.dropTable('source_ratings').execute();
}
