import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';

const FOREVER = Number.MAX_SAFE_INTEGER;
const at = (iso: string) => Date.parse(iso);

/**
 * 0013 on a knowledge read model whose checkpoint kept its last event's transaction time, less than
 * the latest its rows hold (a clock that stepped back): raised to the latest; a generation column added.
 */
async function migrationRaisesTheCheckpointTime(db: Kysely<any>, migrationTableSchema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableSchema });
  const to = async (name: string) => {
    const { error } = await migrator.migrateTo(name);
    if (error) throw error;
  };
  await to('0012_search_terms');
  await db
    .insertInto('projection_checkpoints')
    .values([
      { projection: 'knowledge', position: 9, recorded_at: '2025-01-01T00:00:07.000Z' },
      { projection: 'audit-merkle', position: 9, recorded_at: '2025-01-01T00:00:07.000Z' },
    ])
    .execute();
  // A version recorded at :05 and superseded at :09 (the later event's time), the one after it open.
  await db.insertInto('claim_versions').values({ claim_id: 'c', position: 3, development_id: 'd', source_id: 's', sys_from: at('2025-01-01T00:00:05.000Z'), sys_to: at('2025-01-01T00:00:09.000Z'), reported_at_ms: 1, fields: '{}' }).execute();
  await db.insertInto('claim_versions').values({ claim_id: 'c', position: 9, development_id: 'd', source_id: 's', sys_from: at('2025-01-01T00:00:08.000Z'), sys_to: FOREVER, reported_at_ms: 1, fields: '{}' }).execute();

  await to('0013_checkpoint_generation');

  const rows = await db.selectFrom('projection_checkpoints').select(['projection', 'recorded_at', 'generation']).orderBy('projection').execute();
  expect(rows).toEqual([
    { projection: 'audit-merkle', recorded_at: '2025-01-01T00:00:07.000Z', generation: null },
    { projection: 'knowledge', recorded_at: '2025-01-01T00:00:09.000Z', generation: null },
  ]);
}

describe('migration 0013 on SQLite', () => {
  it('raises the knowledge checkpoint to the latest transaction time its rows hold, and adds a generation', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      await migrationRaisesTheCheckpointTime(db);
    } finally {
      await db.destroy();
    }
  });
});

describeWithPostgres('migration 0013 on PostgreSQL', () => {
  it('raises the knowledge checkpoint to the latest transaction time its rows hold, and adds a generation', async () => {
    const schema = await aPostgresSchema();
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: schema.url, max: 1 }) }) });
    try {
      await migrationRaisesTheCheckpointTime(db, schema.schema);
    } finally {
      await db.destroy();
      await schema.drop();
    }
  });
});
