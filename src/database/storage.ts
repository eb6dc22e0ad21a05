import { join } from 'node:path';
import { EventStore } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { AppConfig } from '../platform/app-config';
import { Clock } from '../platform/clock';
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

export async function openStorage(config: Pick<AppConfig, 'dataDir' | 'eventStore'>, clock: Clock): Promise<Storage> {
  const sqlite = new SqliteDatabase(join(config.dataDir, SQLITE_FILE));
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
