import { Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The log of the SQL event stores. In SQLite `position` is the rowid (assigned in commit order,
 * never reused); in PostgreSQL the store assigns it under a lock that serialises appends.
 * Data and metadata are kept as the exact JSON text appended.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('events')
    .ifNotExists()
    .addColumn('position', postgres ? 'bigint' : 'integer', (col) => col.primaryKey())
    .addColumn('stream_id', 'text', (col) => col.notNull())
    .addColumn('stream_version', 'bigint', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull().unique())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('data', 'text', (col) => col.notNull())
    .addColumn('metadata', 'text', (col) => col.notNull())
    .addColumn('recorded_at', 'text', (col) => col.notNull())
    .addUniqueConstraint('events_stream_version_unique', ['stream_id', 'stream_version'])
    .execute();
  await sql`CREATE INDEX IF NOT EXISTS events_type_position ON events (type, position)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('events').execute();
}
