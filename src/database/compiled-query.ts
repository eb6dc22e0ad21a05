import type Database from 'better-sqlite3';
import { isDeepStrictEqual } from 'node:util';
import { Compilable, CompiledQuery, DialectAdapter, Insertable, Kysely, QueryResult } from 'kysely';
import { ReadModelSchema } from './schema';

/** The SQL text of each shape, per dialect (the adapter of the database a transaction belongs to). */
const texts = new WeakMap<DialectAdapter, Map<string, string>>();

/** A better-sqlite3 connection whose `prepare` is memoised (`withStatementCache`). */
type SqliteConnection = Readonly<{ prepare(source: string): Database.Statement; inTransaction: boolean }>;

/** The connection each database registered with {@link runDirectly} runs its compiled statements on. */
const direct = new WeakMap<DialectAdapter, SqliteConnection>();

/**
 * Makes {@link runCompiled} run `db`'s statements (and its transactions') on `connection` itself,
 * as kysely's SQLite driver would, without its executor: its connection provider, mutex and
 * promises cost about 2 µs a statement, more than many of a projection's statements take.
 * Only for a database whose every use holds the connection already (the embedded store's writer,
 * used only inside `SqliteDatabase.write`): nothing else waits on kysely's mutex for it. Its
 * statements must run in a transaction (kysely's would refuse a transaction already ended; this
 * refuses any statement with none open), and it must have no plugins (their results are not applied).
 */
export function runDirectly(db: Kysely<any>, connection: SqliteConnection): void {
  direct.set(db.getExecutor().adapter, connection);
}

/**
 * Runs a query kysely builds and compiles once per dialect and `shape`, with `parameters` given in
 * the order of its placeholders. For statements a projection runs thousands of times a second:
 * building and compiling a query costs kysely more than it takes SQLite to run it.
 *
 * `shape` must name everything that changes the text (table, columns, the length of an IN list or of
 * a multi-row VALUES); `build` runs only when a shape is first seen, and then its compiled parameters
 * must equal `parameters`, or this throws: a parameter order that does not follow the text fails at
 * once, not with rows in the wrong columns.
 */
export async function runCompiled<R>(
  db: Kysely<any>,
  shape: string,
  build: () => Compilable<R>,
  parameters: readonly unknown[],
): Promise<QueryResult<R>> {
  const adapter = db.getExecutor().adapter;
  let byShape = texts.get(adapter);
  if (!byShape) texts.set(adapter, (byShape = new Map()));
  let text = byShape.get(shape);
  if (text === undefined) {
    const compiled = build().compile();
    if (!isDeepStrictEqual([...compiled.parameters], [...parameters])) {
      throw new Error(`${shape}: parameters ${JSON.stringify(parameters)} do not follow the compiled ${JSON.stringify(compiled.parameters)} of ${compiled.sql}`);
    }
    text = compiled.sql;
    byShape.set(shape, text);
  }
  const connection = direct.get(adapter);
  return connection ? runOn<R>(connection, text, parameters) : db.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown[]));
}

/** What kysely's SQLite driver does with a compiled query (`SqliteConnection.executeQuery`), on `connection`. */
async function runOn<R>(connection: SqliteConnection, text: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
  // A transaction object used after its `write` ended would otherwise write outside it, and outside the write lock.
  if (!connection.inTransaction) throw new Error(`no transaction is open for: ${text}`);
  const statement = connection.prepare(text);
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

/** The rows of a select run through {@link runCompiled}. */
export async function compiledRows<R>(db: Kysely<any>, shape: string, build: () => Compilable<R>, parameters: readonly unknown[]): Promise<R[]> {
  return (await runCompiled(db, shape, build, parameters)).rows;
}

/**
 * Inserts `rows` in one statement through {@link runCompiled} (one text per table, columns and number
 * of rows). Rows whose columns differ, or that hold an undefined value (which kysely leaves out), are
 * built by kysely each time, as they would be without this.
 */
export async function insertRows<T extends keyof ReadModelSchema & string>(
  db: Kysely<ReadModelSchema>,
  table: T,
  rows: readonly Readonly<Insertable<ReadModelSchema[T]>>[],
): Promise<void> {
  if (rows.length === 0) return;
  const build = () => (db as Kysely<any>).insertInto(table).values(rows as Record<string, unknown>[]);
  const columns = Object.keys(rows[0]);
  const parameters: unknown[] = [];
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length) return void (await build().execute());
    for (const column of columns) {
      const value = (row as Record<string, unknown>)[column];
      if (value === undefined) return void (await build().execute());
      parameters.push(value);
    }
  }
  await runCompiled(db, `insert ${table} ${columns.join(',')} × ${rows.length}`, build, parameters);
}
