import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';

/**
 * 0009 on a read model projected before it: each source takes `sys_from` from its SourceRegistered
 * in the database's own log, 0 when the log is elsewhere.
 */
async function migrationBackfillsRegistrationTimes(db: Kysely<any>, migrationTableSchema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableSchema });
  const to = async (name: string) => {
    const { error } = await migrator.migrateTo(name);
    if (error) throw error;
  };
  await to('0008_postgres_status_segment_lookup');
  await db
    .insertInto('events')
    .values({
      position: 7,
      stream_id: 'source-sk-nis',
      stream_version: 0,
      event_id: '00000000-0000-4000-8000-000000000007',
      type: 'SourceRegistered',
      data: '{}',
      metadata: '{}',
      recorded_at: '2025-04-01T08:00:00.123Z',
    })
    .execute();
  await db
    .insertInto('sources')
    .values([
      { source_id: 'sk-nis', profile: '{}', position: 7 },
      { source_id: 'from-elsewhere', profile: '{}', position: 9 },
    ])
    .execute();

  await to('0009_source_ratings');

  const rows = await db.selectFrom('sources').select(['source_id', 'sys_from']).orderBy('source_id').execute();
  expect(rows.map((row) => [row.source_id, Number(row.sys_from)])).toEqual([
    ['from-elsewhere', 0],
    ['sk-nis', Date.parse('2025-04-01T08:00:00.123Z')],
  ]);
  expect(await sql`select count(*) as n from source_ratings`.execute(db).then((result) => Number((result.rows[0] as { n: unknown }).n))).toBe(0);

  await to('0008_postgres_status_segment_lookup');
  const columns = await db.selectFrom('sources').selectAll().execute();
  expect(Object.keys(columns[0]).sort()).toEqual(['position', 'profile', 'source_id']);
}

describe('migration 0009 on SQLite', () => {
  it('backfills sources.sys_from from the log, and goes down again', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      await migrationBackfillsRegistrationTimes(db);
    } finally {
      await db.destroy();
    }
  });
});

describeWithPostgres('migration 0009 on PostgreSQL', () => {
  it('backfills sources.sys_from from the log, and goes down again', async () => {
    const schema = await aPostgresSchema();
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: schema.url, max: 1 }) }) });
    try {
      await migrationBackfillsRegistrationTimes(db, schema.schema);
    } finally {
      await db.destroy();
      await schema.drop();
    }
  });
});
