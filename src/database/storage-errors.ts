/**
 * What a failed store operation means for the caller, whatever the driver: `busy` (another writer
 * holds the store: retry shortly), `full` (no space: the operation stored nothing), or undefined.
 */
export type StorageFailure = 'busy' | 'full';

/** PostgreSQL SQLSTATEs: lock_not_available, serialization_failure, deadlock_detected. */
const POSTGRES_BUSY = new Set(['55P03', '40001', '40P01']);
const POSTGRES_DISK_FULL = '53100';

export function storageFailureOf(error: unknown): StorageFailure | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  // better-sqlite3 reports extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE, ...).
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || POSTGRES_BUSY.has(code)) return 'busy';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === POSTGRES_DISK_FULL) return 'full';
  return undefined;
}
