import Database from 'better-sqlite3';
import { existsSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Pages a backup step may copy: all of them, so the copy is one read transaction's snapshot. */
const ALL_PAGES = 0x7fffffff;

/** The target exists and `overwrite` was not asked for. */
export class BackupTargetExistsError extends Error {
  constructor(readonly target: string) {
    super(`${target} exists; pass --force to overwrite it`);
    this.name = 'BackupTargetExistsError';
  }
}

/** The target is the store itself (or its WAL or journal): renamed over it, the copy would corrupt the live store. */
export class BackupOverStoreError extends Error {
  constructor(readonly target: string) {
    super(`${target} is the store being backed up; choose another file`);
    this.name = 'BackupOverStoreError';
  }
}

/** A path with its directory's links resolved, so two spellings of one file compare equal (the file need not exist). */
const canonicalPath = (path: string) => join(realpathSync(dirname(path)), basename(path));

/**
 * An online backup of the embedded store's file into `target`, through SQLite's backup API, while
 * the server goes on writing: the copy is a snapshot holding every transaction committed before it
 * began (one step copies every page under one read transaction; WAL lets writers carry on). It is
 * written beside the target and renamed into place, so an interrupted backup leaves no partial file.
 */
export async function backupSqlite(source: string, target: string, options: { overwrite?: boolean } = {}): Promise<{ pages: number }> {
  const store = canonicalPath(source);
  if ([store, `${store}-wal`, `${store}-shm`, `${store}-journal`].includes(canonicalPath(target))) throw new BackupOverStoreError(target);
  if (!options.overwrite && existsSync(target)) throw new BackupTargetExistsError(target);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    const { totalPages } = await db.backup(partial, { progress: () => ALL_PAGES });
    renameSync(partial, target);
    return { pages: totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
