import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { searchTerms } from '../../src/domain/knowledge/search-terms';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';

/**
 * 0012 empties the knowledge read model for a rebuild, and its terms tables index exactly the
 * terms the domain's tokenizer gives: every letter and digit of every script (each code point
 * that gives a term, alone and after `1e5`, which PostgreSQL's parser would read as a number)
 * comes back from the store's index as the one term it was, neither split nor folded.
 */
const EVERY_TERM: string[] = (() => {
  const terms = new Set<string>(['1e5x', '0x1f', 'pyongyang', 'курск', 'ς', 'σ', 'ß', 'ss']);
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
    for (const term of searchTerms(String.fromCodePoint(codePoint))) {
      terms.add(term);
      terms.add(`1e5${term}`);
    }
  }
  return [...terms];
})();

async function migrateAndFill(db: Kysely<any>, migrationTableSchema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableSchema });
  const to = async (name: string) => {
    const { error } = await migrator.migrateTo(name);
    if (error) throw error;
  };
  await to('0011_claims_by_source');
  await db.insertInto('projection_checkpoints').values([{ projection: 'knowledge', position: 9 }, { projection: 'audit', position: 9 }]).execute();
  await db.insertInto('claim_versions').values({ claim_id: 'c', position: 3, development_id: 'd', source_id: 's', sys_from: 1, sys_to: 2, reported_at_ms: 1, fields: '{}' }).execute();
  await db.insertInto('description_segments').values({ development_id: 'd', known_from: 0, known_to: 5, sys_from: 1, sys_to: 2, fields: '{}', occurred_sort: 0 }).execute();

  await to('0012_search_terms');

  for (const table of ['claim_versions', 'description_segments', 'description_terms', 'claim_terms']) {
    expect([table, await db.selectFrom(table).selectAll().execute()]).toEqual([table, []]);
  }
  expect((await db.selectFrom('projection_checkpoints').select('projection').execute()).map((row) => row.projection)).toEqual(['audit']);

  const rows = [];
  for (let i = 0; i < EVERY_TERM.length; i += 1000) {
    rows.push({ development_id: 'd', known_from: i, sys_from: 1_729_000_000_000, terms: EVERY_TERM.slice(i, i + 1000).join(' ') });
  }
  for (let i = 0; i < rows.length; i += 50) await db.insertInto('description_terms').values(rows.slice(i, i + 50)).execute();
  await db.insertInto('claim_terms').values({ claim_id: 'c', position: 3, terms: 'ς 1e5x курск' }).execute();
}

const sorted = (terms: Iterable<string>) => [...terms].sort();

describe('migration 0012 on SQLite', () => {
  it('empties the knowledge read model, and FTS5 indexes exactly the terms given', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      await migrateAndFill(db);
      await sql`create virtual table temp.description_vocabulary using fts5vocab(main, description_terms, 'row')`.execute(db);
      const vocabulary = await db.selectFrom('description_vocabulary').select('term').execute();
      expect(vocabulary.length).toBe(EVERY_TERM.length);
      expect(sorted(vocabulary.map((row) => row.term))).toEqual(sorted(EVERY_TERM));
      const matches = async (phrase: string) =>
        (await sql<{ claim_id: string }>`select claim_id from claim_terms where claim_terms match ${phrase}`.execute(db)).rows.map((row) => row.claim_id);
      expect(await matches('"ς"')).toEqual(['c']);
      expect(await matches('"σ"')).toEqual([]);
      expect(await matches('"1e5"')).toEqual([]);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});

describeWithPostgres('migration 0012 on PostgreSQL', () => {
  it('empties the knowledge read model, and the tsvectors hold exactly the terms given', async () => {
    const schema = await aPostgresSchema();
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: schema.url, max: 1 }) }) });
    try {
      await migrateAndFill(db, schema.schema);
      const lexemes = await sql<{ lexeme: string }>`select unnest(tsvector_to_array(lexemes)) as lexeme from description_terms`.execute(db);
      expect(lexemes.rows.length).toBe(EVERY_TERM.length);
      expect(sorted(lexemes.rows.map((row) => row.lexeme))).toEqual(sorted(EVERY_TERM));
      const matches = async (lexeme: string) =>
        (await sql<{ claim_id: string }>`select claim_id from claim_terms where lexemes @@ ${lexeme}::tsquery`.execute(db)).rows.map((row) => row.claim_id);
      expect(await matches("'ς'")).toEqual(['c']);
      expect(await matches("'σ'")).toEqual([]);
      expect(await matches("'1e5'")).toEqual([]);
    } finally {
      await db.destroy();
      await schema.drop();
    }
  }, 60_000);
});
