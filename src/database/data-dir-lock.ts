import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { storageFailureOf } from './storage-errors';

export const LOCK_FILE = 'timeline.lock';

/** Another process holds the data dir: two writers on one file fail each other with `database is locked`. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(`${dataDir} is in use by another Timeline process (it holds ${join(dataDir, LOCK_FILE)}); stop it or use another data dir`);
    this.name = 'DataDirLockedError';
  }
}

/**
 * The data dir's exclusive lock, held by the one process that writes it (the server, `cli -- import`)
 * for its life. It is SQLite's own lock on a small file, taken by a write in EXCLUSIVE locking mode
 * and never given back while the connection is open; the OS drops it when the process dies, even by
 * kill -9, so a stale lock never needs cleaning up (a PID file would).
 */
export class DataDirLock {
  private constructor(private readonly db: Database.Database) {}

  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    // timeout 0: a held lock is an answer, not something to wait for.
    const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      // The write lock first, in one step: a read first would keep a shared lock in this mode, and two
      // processes starting together, each holding one, would then both be refused the write.
      db.transaction(() => {
        db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL)');
        db.exec('DELETE FROM holder');
        db.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
      }).exclusive();
      return new DataDirLock(db);
    } catch (error) {
      db.close();
      // By code, not `instanceof SqliteError`: the addon keeps the error class of the first copy of
      // better-sqlite3 that loaded it, so another copy's class (a jest module registry) never matches.
      if (storageFailureOf(error) === 'busy') throw new DataDirLockedError(dataDir);
      throw error;
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
