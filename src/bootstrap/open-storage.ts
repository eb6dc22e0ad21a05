import { join } from 'node:path';
import { Pool } from 'pg';
import { LeafRangeSource } from '../audit/verify/leaf-ranges';
import { DataDirLock, DataDirLockedError } from '../database/data-dir-lock';
import { connectPostgres, describeError } from '../database/postgres-connection';
import { PostgresReadModelDatabase } from '../database/postgres-read-model-database';
import { ReadModelDatabase, SqliteReadModelDatabase } from '../database/read-model-database';
import { SqliteDatabase } from '../database/sqlite-database';
import { EventStore } from '../event-store/event-store.port';
import { KurrentDbEventStore } from '../event-store/kurrentdb/kurrentdb-event-store';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { AppConfig, ConfigError } from '../platform/app-config';
import { Clock } from '../platform/clock';

/** The event store and the read-model database the configuration chose, migrated and open. */
export type Storage = Readonly<{
  eventStore: EventStore;
  readModel: ReadModelDatabase;
  /** Where audit verify's range checks can read the log and the tree (the embedded store's file, PostgreSQL's pool). */
  leafRanges?: LeafRangeSource;
  close(): Promise<void>;
}>;

export const STORAGE = Symbol('Storage');

export const SQLITE_FILE = 'timeline.sqlite';

export type StorageConfig = Pick<AppConfig, 'dataDir' | 'eventStore' | 'databaseUrl' | 'kurrentdbUrl'>;

const KURRENTDB_CONNECT_TIMEOUT_MS = 10_000;

export type StorageAccess = Readonly<{
  /**
   * Take the embedded store's data dir lock (default), as every process that appends must: a
   * second one is refused. `false` only for commands that run beside the server and append
   * nothing (their catch-up projections share the checkpoints, as instances on PostgreSQL do).
   */
  lockDataDir?: boolean;
}>;

/** Opens what the configuration names; an unreachable backend (or a data dir in use) is a {@link ConfigError} naming its setting. */
export async function openStorage(config: StorageConfig, clock: Clock, access: StorageAccess = {}): Promise<Storage> {
  switch (config.eventStore) {
    case 'sqlite':
      return openSqlite(config.dataDir, clock, access.lockDataDir ?? true);
    case 'postgres':
      return withPostgresReadModel(requireSetting(config.databaseUrl, 'DATABASE_URL'), async (pool) => new PostgresEventStore(pool, clock), true);
    case 'kurrentdb': {
      const kurrentdbUrl = requireSetting(config.kurrentdbUrl, 'KURRENTDB_URL');
      return withPostgresReadModel(requireSetting(config.databaseUrl, 'DATABASE_URL'), () => connectKurrentDb(kurrentdbUrl));
    }
  }
}

function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError(name, 'is required for this event store');
  return value;
}

/** Closes the event store, then what holds the data. */
function storage(eventStore: EventStore, readModel: ReadModelDatabase, release: () => Promise<void> | void, leafRanges?: LeafRangeSource): Storage {
  return {
    eventStore,
    readModel,
    ...(leafRanges ? { leafRanges } : {}),
    async close() {
      await eventStore.close();
      await readModel.close();
      await release();
    },
  };
}

/**
 * Read models (migrated) in PostgreSQL, with the event store `open` makes on the same pool or
 * elsewhere; `logInPool`: it keeps the log in the same database, where verify's range checks read it with the tree.
 */
async function withPostgresReadModel(url: string, open: (pool: Pool) => Promise<EventStore>, logInPool = false): Promise<Storage> {
  const pool = await connectPostgres(url);
  try {
    const eventStore = await open(pool);
    const readModel = new PostgresReadModelDatabase(pool);
    await readModel.migrate().catch(async (error: unknown) => {
      await eventStore.close();
      throw error;
    });
    return storage(eventStore, readModel, () => pool.end(), logInPool ? { kind: 'postgres', pool } : undefined);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/** A KurrentDB client that has answered once, within a bounded time. */
async function connectKurrentDb(url: string): Promise<EventStore> {
  const eventStore = KurrentDbEventStore.connect(url);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${KURRENTDB_CONNECT_TIMEOUT_MS / 1000} s`)), KURRENTDB_CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([eventStore.headPosition(), timeout]);
    return eventStore;
  } catch (error) {
    await eventStore.close().catch(() => undefined);
    throw new ConfigError('KURRENTDB_URL', `cannot reach KurrentDB: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

async function openSqlite(dataDir: string, clock: Clock, lockDataDir: boolean): Promise<Storage> {
  let lock: DataDirLock | undefined;
  let sqlite: SqliteDatabase;
  try {
    if (lockDataDir) lock = DataDirLock.acquire(dataDir);
    sqlite = new SqliteDatabase(join(dataDir, SQLITE_FILE));
  } catch (error) {
    lock?.release();
    if (error instanceof DataDirLockedError) throw new ConfigError('TIMELINE_DATA_DIR', error.message);
    throw new ConfigError('TIMELINE_DATA_DIR', `cannot open the store in ${dataDir}: ${describeError(error)}`);
  }
  const close = () => {
    sqlite.close();
    lock?.release();
  };
  try {
    const readModel = new SqliteReadModelDatabase(sqlite);
    await readModel.migrate();
    return storage(new SqliteEventStore(sqlite, clock), readModel, close, { kind: 'sqlite', file: sqlite.file });
  } catch (error) {
    close();
    throw error;
  }
}

/** Runs `run` on the configured storage, opened for it and closed after it, whatever it returns or throws. */
export async function withStorage<T>(config: AppConfig, clock: Clock, access: StorageAccess, run: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(config, clock, access);
  try {
    return await run(storage);
  } finally {
    await storage.close();
  }
}
