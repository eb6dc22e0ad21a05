import { join } from 'node:path';
import { Pool } from 'pg';
import { EventStore } from '../event-store/event-store.port';
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
      throw new ConfigError('TIMELINE_EVENT_STORE', 'kurrentdb is not wired yet');
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
