import Database from 'better-sqlite3';
import { STORAGE, Storage } from '../../src/bootstrap/open-storage';
import { SqliteReadModelDatabase } from '../../src/database/read-model-database';
import { TestApp } from './test-app';

/** What each driver throws when the disk is full, or when another writer holds the store. */
export const storeErrors = {
  sqliteFull: () => new Database.SqliteError('database or disk is full', 'SQLITE_FULL'),
  postgresDiskFull: () => Object.assign(new Error('could not extend file "base/16384/2619": No space left on device'), { code: '53100' }),
  sqliteBusy: () => new Database.SqliteError('database is locked', 'SQLITE_BUSY'),
  postgresLockTimeout: () => Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }),
};

/**
 * Makes the app's store fail on demand, on every machine: its appends, and every read-model write
 * (projections, idempotency keys), throw what the test names while the switch is on.
 */
export function failingStorage(app: TestApp) {
  const storage = app.app.get<symbol, Storage>(STORAGE);
  const failing: { append?: () => Error; readModelWrite?: () => Error } = {};
  const append = storage.eventStore.append.bind(storage.eventStore);
  storage.eventStore.append = async (...args) => {
    if (failing.append) throw failing.append();
    return append(...args);
  };
  const write = storage.readModel.write.bind(storage.readModel);
  storage.readModel.write = async (section) => {
    if (failing.readModelWrite) throw failing.readModelWrite();
    return write(section);
  };
  // Projections applied in the append's transaction (the embedded store) write there.
  const readModel = storage.readModel as Partial<SqliteReadModelDatabase>;
  const inOpenTransaction = readModel.inOpenTransaction?.bind(readModel);
  if (inOpenTransaction) {
    readModel.inOpenTransaction = async (section) => {
      if (failing.readModelWrite) throw failing.readModelWrite();
      return inOpenTransaction(section);
    };
  }
  return failing;
}
