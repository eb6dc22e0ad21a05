import { Kysely, PostgresAdapter, sql } from 'kysely';
import { createHash } from 'node:crypto';

/**
 * Every row of each table, one JSON array of its values per row, to compare two read models
 * column by column (but a checkpoint's generation). SQLite: in rowid order with the rowid, so the order rows were inserted in must
 * match too; PostgreSQL (no stable row order): sorted.
 */
export async function readModelRows(db: Kysely<any>, tables: readonly string[]): Promise<Record<string, string[]>> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const rows: Record<string, string[]> = {};
  for (const table of tables) {
    const query = postgres ? sql`select * from ${sql.table(table)}` : sql`select rowid as "rowid", * from ${sql.table(table)} order by rowid`;
    const lines = (await query.execute(db)).rows.map((row) => JSON.stringify(Object.values(comparable(table, row as Record<string, unknown>))));
    rows[table] = postgres ? lines.sort() : lines;
  }
  return rows;
}

/** A checkpoint's `generation` is random by design (new each time the row is made): left out. */
export function comparable(table: string, row: Record<string, unknown>): Record<string, unknown> {
  if (table !== 'projection_checkpoints') return row;
  const { generation: _generation, ...rest } = row;
  return rest;
}

/** A short digest of {@link readModelRows}, with the row count of each table. */
export function rowsDigest(rows: Record<string, string[]>): string {
  const hash = createHash('sha256');
  for (const [table, lines] of Object.entries(rows)) hash.update(`${table}\n${lines.join('\n')}\n`);
  const counts = Object.entries(rows).map(([table, lines]) => `${table} ${lines.length}`);
  return `${hash.digest('hex').slice(0, 16)} (${counts.join(', ')})`;
}
