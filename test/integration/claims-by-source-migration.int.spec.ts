import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';

/**
 * 0011 on a read model projected before it: the knowledge tables are emptied and the knowledge
 * checkpoint removed (the projection rebuilds them, with `source_id` and `topic_key`), while other
 * projections keep theirs.
 */
async function migrationEmptiesTheKnowledgeReadModel(db: Kysely<any>, migrationTableSchema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableSchema });
  const to = async (name: string) => {
    const { error } = await migrator.migrateTo(name);
    if (error) throw error;
  };
  await to('0010_knowledge_model_v2');
  await db.insertInto('projection_checkpoints').values([{ projection: 'knowledge', position: 9 }, { projection: 'audit', position: 9 }]).execute();
  await db.insertInto('claim_versions').values({ claim_id: 'c', position: 3, development_id: 'd', sys_from: 1, sys_to: 2, reported_at_ms: 1, fields: '{}' }).execute();
  await db.insertInto('development_topics').values({ topic: 'Fire', development_id: 'd', known_from: 0, known_to: 5, sys_from: 1, sys_to: 2 }).execute();
  await db.insertInto('status_segments').values({
    development_id: 'd', known_from: 0, known_to: 5, sys_from: 1, sys_to: 2, status: 'reported', previous_status: null, summary: '{}',
    known_from_text: '1970-01-01', first_reported_at: '1970-01-01', last_reported_at: '1970-01-01', cause_position: 3,
  }).execute();

  await to('0011_claims_by_source');

  for (const table of ['claim_versions', 'development_topics', 'status_segments']) {
    expect([table, await db.selectFrom(table).selectAll().execute()]).toEqual([table, []]);
  }
  expect((await db.selectFrom('projection_checkpoints').select('projection').execute()).map((row) => row.projection)).toEqual(['audit']);
  await db.insertInto('claim_versions').values({ claim_id: 'c', position: 3, development_id: 'd', source_id: 's', sys_from: 1, sys_to: 2, reported_at_ms: 1, fields: '{}' }).execute();
  await db.insertInto('development_topics').values({ topic: 'Fire', topic_key: 'fire', development_id: 'd', known_from: 0, known_to: 5, sys_from: 1, sys_to: 2 }).execute();
  expect(await db.selectFrom('claim_versions').select('source_id').execute()).toEqual([{ source_id: 's' }]);
  expect(await db.selectFrom('development_topics').select(['topic', 'topic_key']).execute()).toEqual([{ topic: 'Fire', topic_key: 'fire' }]);
}

describe('migration 0011 on SQLite', () => {
  it('empties the knowledge read model for a rebuild, and adds source_id and topic_key', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      await migrationEmptiesTheKnowledgeReadModel(db);
    } finally {
      await db.destroy();
    }
  });
});

describeWithPostgres('migration 0011 on PostgreSQL', () => {
  it('empties the knowledge read model for a rebuild, and adds source_id and topic_key', async () => {
    const schema = await aPostgresSchema();
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: schema.url, max: 1 }) }) });
    try {
      await migrationEmptiesTheKnowledgeReadModel(db, schema.schema);
    } finally {
      await db.destroy();
      await schema.drop();
    }
  });
});
