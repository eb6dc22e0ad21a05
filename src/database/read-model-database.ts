import { Kysely, Migrator, PostgresAdapter, SqliteDialect, Transaction, sql } from 'kysely';
import { MIGRATIONS } from '../../migrations';
import { runDirectly } from './compiled-query';
import { ReadModelSchema } from './schema';
import { SqliteDatabase, withStatementCache } from './sqlite-database';

export type ReadModelTransaction = Transaction<ReadModelSchema>;

/**
 * The SQL database that holds the read models, whatever the event store is. Queries use `query`;
 * projectors write only inside `write`.
 */
export interface ReadModelDatabase {
  readonly query: Kysely<ReadModelSchema>;
  write<T>(section: (trx: ReadModelTransaction) => Promise<T>): Promise<T>;
  /** Refreshes the planner's statistics after the read model grew (SQLite keeps none by itself). */
  refreshStatistics(): Promise<void>;
  close(): Promise<void>;
}

export const READ_MODEL_DATABASE = Symbol('ReadModelDatabase');

/** Applies every pending migration; fails with the migration's own error. */
export async function migrateToLatest(db: Kysely<ReadModelSchema>): Promise<void> {
  // Kysely finds its bookkeeping tables by name in every schema: name ours, or another schema's
  // tables (another app sharing the server) would be taken for them.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0].schema
      : undefined;
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableSchema: schema });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

/** Read models in the embedded SQLite file, written on its one writer connection. */
export class SqliteReadModelDatabase implements ReadModelDatabase {
  readonly query: Kysely<ReadModelSchema>;
  private readonly writer: Kysely<ReadModelSchema>;
  /** Write transactions committed since open. */
  private committedTransactions = 0;

  constructor(readonly sqlite: SqliteDatabase) {
    this.query = new Kysely({ dialect: new SqliteDialect({ database: withStatementCache(sqlite.queryReader) }) });
    const writer = withStatementCache(sqlite.writer);
    this.writer = new Kysely({ dialect: new SqliteDialect({ database: writer }) });
    // Only used holding the writer (inside SqliteDatabase.write): kysely's own mutex need not be taken.
    runDirectly(this.writer, writer);
  }

  /** The embedded store's file, for read-only connections of other threads. */
  get file(): string {
    return this.sqlite.file;
  }

  migrate(): Promise<void> {
    return this.sqlite.write(() => migrateToLatest(this.writer));
  }

  async write<T>(section: (trx: ReadModelTransaction) => Promise<T>): Promise<T> {
    const result = await this.sqlite.write(() => this.writer.transaction().execute(section));
    this.committedTransactions += 1;
    return result;
  }

  /**
   * Runs `section` in the transaction already open on the writer connection (the event store's, for
   * projections applied in the append's transaction): no BEGIN or COMMIT of its own. Only inside
   * that transaction, holding {@link SqliteDatabase.write}.
   */
  inOpenTransaction<T>(section: (trx: ReadModelTransaction) => Promise<T>): Promise<T> {
    if (!this.sqlite.writer.inTransaction) throw new Error('no transaction is open on the writer');
    // The writer's statements run in the open transaction; kysely's own transaction would BEGIN another.
    return section(this.writer as unknown as ReadModelTransaction);
  }

  /** Write transactions committed since open (the benchmark's fsyncs per write). */
  get commitStats(): { transactions: number } {
    return { transactions: this.committedTransactions };
  }

  /** A sampled ANALYZE (milliseconds), for every connection: without statistics SQLite can pick a full scan for `/v1/knowledge`. */
  refreshStatistics(): Promise<void> {
    return this.sqlite.write(() => this.sqlite.analyze());
  }

  async close(): Promise<void> {
    // The connections belong to SqliteDatabase, which closes them.
  }
}
