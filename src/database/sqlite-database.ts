import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AsyncMutex } from '../platform/async-mutex';

type Connection = Database.Database;

/** A connection to the embedded store's file, set up as every connection to it must be. */
export function openConnection(file: string, options: { readonly?: boolean } = {}): Connection {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('journal_mode = WAL');
  // WAL connections reopen at NORMAL; FULL makes an acknowledged commit survive a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * The connection with `prepare` memoised by SQL text, for query builders (kysely) that prepare
 * every statement anew: preparing costs about as much as running a small indexed query.
 */
export function withStatementCache(db: Connection): Connection {
  const cache = new Map<string, Database.Statement>();
  const prepare = (source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = db.prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The embedded store's file: the event log and the read models live in it together.
 *
 * WARNING: better-sqlite3 is synchronous and one connection has one transaction. Every write,
 * sync or async, goes through {@link SqliteDatabase.write} on the one writer connection, so an
 * async (kysely) transaction is never interleaved with another write. Reads use their own
 * connections and see only committed data.
 */
export class SqliteDatabase {
  readonly writer: Connection;
  /** For the event store's reads (positions as bigint). */
  readonly logReader: Connection;
  /** For read-model queries through kysely. */
  readonly queryReader: Connection;
  private readonly writeLock = new AsyncMutex();

  constructor(readonly file: string) {
    // Several connections share the data, so it must be a file (`:memory:` would be one database each).
    if (file === ':memory:') throw new Error('the embedded store needs a file, not :memory:');
    mkdirSync(dirname(file), { recursive: true });
    this.writer = openConnection(file);
    this.logReader = openConnection(file);
    this.queryReader = openConnection(file);
  }

  /** Runs a write section alone on the writer connection. */
  write<T>(section: (db: Connection) => Promise<T> | T): Promise<T> {
    return this.writeLock.run(() => section(this.writer));
  }

  /**
   * A sampled ANALYZE that every connection to the file plans with: this process's readers, read
   * workers', other processes'. A connection reads the statistics only with the schema, which
   * ANALYZE leaves as it was: without a change of the schema the others would plan with what they
   * read first for as long as they are open (on a store that started empty, a log of one event: a
   * whole-log scan for every read after a position). Creating and dropping a table changes the
   * schema's version, so each re-reads the schema, and the statistics, at its next statement (and
   * re-prepares its statements). Call it inside {@link write}.
   */
  analyze(): void {
    this.writer.pragma('analysis_limit = 1000');
    this.writer.exec('ANALYZE');
    this.writer.transaction(() => this.writer.exec('CREATE TABLE statistics_refreshed (at); DROP TABLE statistics_refreshed;')).immediate();
  }

  close(): void {
    for (const db of [this.queryReader, this.logReader, this.writer]) if (db.open) db.close();
  }
}
