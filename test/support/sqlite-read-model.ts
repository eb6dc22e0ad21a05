import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelDatabase } from '../../src/database/read-model-database';
import { SqliteDatabase } from '../../src/database/sqlite-database';

/**
 * A migrated read model in a fresh SQLite file for each test of the `describe` it is called in,
 * closed and removed after the test: call the returned function inside a test for its database.
 */
export function aSqliteReadModelPerTest(name: string): () => SqliteReadModelDatabase {
  let dir: string;
  let sqlite: SqliteDatabase;
  let db: SqliteReadModelDatabase;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), `timeline-${name}-`));
    sqlite = new SqliteDatabase(join(dir, 'timeline.sqlite'));
    db = new SqliteReadModelDatabase(sqlite);
    await db.migrate();
  });

  afterEach(() => {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  return () => db;
}
