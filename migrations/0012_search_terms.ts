import { Kysely, PostgresAdapter, sql } from 'kysely';
import { rebuildKnowledgeFromLog } from './knowledge-rebuild';

/**
 * Full-text search (`q=` on `/v1/knowledge`, issue 14): the terms of each description segment's
 * title and summary (`description_terms`, keyed to its segment row by development, `known_from`
 * and `sys_from`) and of each claim version's quote (`claim_terms`, keyed by claim and position).
 * `terms` holds the terms the domain's tokenizer gave (`src/domain/knowledge/search-terms.ts`),
 * joined by single spaces: letters and digits of any script, lowercased, without marks.
 *
 * Neither store splits or folds those terms again, so both index exactly the domain's terms:
 * - SQLite: FTS5 tables whose keys are UNINDEXED, with the `ascii` tokenizer: it splits only at
 *   ASCII characters that are not letters or digits (here, the spaces) and takes every non-ASCII
 *   character as part of a term. (`unicode61` folds some letters, e.g. `ς` to `σ`, and splits at
 *   letters and digits newer than its Unicode tables.)
 * - PostgreSQL: ordinary tables whose `lexemes` (generated from `terms` by `array_to_tsvector`, no
 *   parser) have a GIN index, searched with a quoted tsquery lexeme. (`to_tsvector` would split
 *   `1e5x` into `1e5` and `x`, and, under a C.UTF-8 locale, at 14,644 letters and digits its
 *   character classes do not know.)
 *
 * As 0010 and 0011 do, every knowledge table is emptied and the knowledge projection's checkpoint
 * removed: the projection rebuilds from the log on start, filling the new tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create table description_terms (
      development_id text not null,
      known_from bigint not null,
      sys_from bigint not null,
      terms text not null,
      lexemes tsvector generated always as (array_to_tsvector(string_to_array(terms, ' '))) stored
    )`.execute(db);
    await sql`create index description_terms_lexemes on description_terms using gin (lexemes)`.execute(db);
    await sql`create index description_terms_by_segment on description_terms (development_id, known_from, sys_from)`.execute(db);
    await sql`create table claim_terms (
      claim_id text not null,
      position bigint not null,
      terms text not null,
      lexemes tsvector generated always as (array_to_tsvector(string_to_array(terms, ' '))) stored,
      constraint claim_terms_pk primary key (claim_id, position)
    )`.execute(db);
    await sql`create index claim_terms_lexemes on claim_terms using gin (lexemes)`.execute(db);
  } else {
    await sql`create virtual table description_terms using fts5(development_id unindexed, known_from unindexed, sys_from unindexed, terms, tokenize = 'ascii')`.execute(db);
    await sql`create virtual table claim_terms using fts5(claim_id unindexed, position unindexed, terms, tokenize = 'ascii')`.execute(db);
  }

  await rebuildKnowledgeFromLog(db, [
    'sources',
    'source_ratings',
    'development_versions',
    'development_revisions',
    'description_segments',
    'development_topics',
    'claim_versions',
    'claim_retractions',
    'status_segments',
  ]);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('claim_terms').execute();
  await db.schema.dropTable('description_terms').execute();
}
