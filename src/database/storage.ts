import { join } from 'node:path';
import { Pool } from 'pg';
import { EventStore } from '../event-store/event-store.port';
import { KurrentDbEventStore } from '../event-store/kurrentdb/kurrentdb-event-store';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { AppConfig, ConfigError } from '../platform/app-config';
import { Clock } from '../platform/clock';
import { PostgresReadModelDatabase } from './postgres-read-model-database';
import { ReadModelDatabase, SqliteReadModelDatabase } from './read-model-database';
import { SqliteDatabase } from './sqlite-database';

/** The event store and the read-model database the configuration chose, migrated and open. */
export type Storage = Readonly<{
  eventStore: EventStore;
  readModel: ReadModelDatabase;
  close(): Promise<void>;
}>;

export const STORAGE = Symbol('Storage');

export const SQLITE_FILE = 'timeline.sqlite';

export type StorageConfig = Pick<AppConfig, 'dataDir' | 'eventStore' | 'databaseUrl' | 'kurrentdbUrl'>;

/** Opens what the configuration names; an unreachable backend is a {@link ConfigError} naming its setting. */
export async function openStorage(config: StorageConfig, clock: Clock): Promise<Storage> {
  switch (config.eventStore) {
    case 'sqlite':
      return openSqlite(config.dataDir, clock);
    case 'postgres':
      return openPostgres(requireSetting(config.databaseUrl, 'DATABASE_URL'), clock);
    case 'kurrentdb':
      return openKurrentDb(requireSetting(config.kurrentdbUrl, 'KURRENTDB_URL'), requireSetting(config.databaseUrl, 'DATABASE_URL'));
  }
}

const KURRENTDB_CONNECT_TIMEOUT_MS = 10_000;

/** Events in KurrentDB, read models in PostgreSQL. */
async function openKurrentDb(kurrentdbUrl: string, databaseUrl: string): Promise<Storage> {
  const pool = await connectPostgres(databaseUrl);
  let eventStore: KurrentDbEventStore | undefined;
  try {
    eventStore = KurrentDbEventStore.connect(kurrentdbUrl);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${KURRENTDB_CONNECT_TIMEOUT_MS / 1000} s`)), KURRENTDB_CONNECT_TIMEOUT_MS);
    });
    await Promise.race([eventStore.headPosition(), timeout])
      .catch((error: unknown) => {
        throw new ConfigError('KURRENTDB_URL', `cannot reach KurrentDB: ${error instanceof Error ? error.message || error.name : String(error)}`);
      })
      .finally(() => clearTimeout(timer));
    const readModel = new PostgresReadModelDatabase(pool);
    await readModel.migrate();
    const store = eventStore;
    return {
      eventStore: store,
      readModel,
      async close() {
        await store.close();
        await readModel.close();
        await pool.end();
      },
    };
  } catch (error) {
    await eventStore?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
}

function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new ConfigError(name, 'is required for this event store');
  return value;
}

/** A pool that has answered once; otherwise a one-line error naming DATABASE_URL. */
export async function connectPostgres(url: string): Promise<Pool> {
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // an idle client's lost connection: the next query reconnects
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new ConfigError('DATABASE_URL', `cannot reach PostgreSQL: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function openPostgres(url: string, clock: Clock): Promise<Storage> {
  const pool = await connectPostgres(url);
  try {
    const readModel = new PostgresReadModelDatabase(pool);
    await readModel.migrate();
    const eventStore = new PostgresEventStore(pool, clock);
    return {
      eventStore,
      readModel,
      async close() {
        await eventStore.close();
        await readModel.close();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function openSqlite(dataDir: string, clock: Clock): Promise<Storage> {
  let sqlite: SqliteDatabase;
  try {
    sqlite = new SqliteDatabase(join(dataDir, SQLITE_FILE));
  } catch (error) {
    throw new ConfigError('TIMELINE_DATA_DIR', `cannot open the store in ${dataDir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const readModel = new SqliteReadModelDatabase(sqlite);
    await readModel.migrate();
    const eventStore = new SqliteEventStore(sqlite, clock);
    return {
      eventStore,
      readModel,
      async close() {
        await eventStore.close();
        await readModel.close();
        sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
