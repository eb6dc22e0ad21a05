import Database from 'better-sqlite3';
import { storageFailureOf } from '../../src/database/storage-errors';

describe('storageFailureOf', () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });

  it.each([
    [new Database.SqliteError('database is locked', 'SQLITE_BUSY'), 'busy'],
    [new Database.SqliteError('database is locked', 'SQLITE_BUSY_SNAPSHOT'), 'busy'],
    [new Database.SqliteError('database table is locked', 'SQLITE_LOCKED'), 'busy'],
    [coded('55P03'), 'busy'],
    [coded('40001'), 'busy'],
    [coded('40P01'), 'busy'],
    [new Database.SqliteError('database or disk is full', 'SQLITE_FULL'), 'full'],
    [coded('ENOSPC'), 'full'],
    [coded('53100'), 'full'],
    [new Database.SqliteError('constraint failed', 'SQLITE_CONSTRAINT_UNIQUE'), undefined],
    [coded('23505'), undefined],
    [new Error('no code'), undefined],
    ['a string', undefined],
    [undefined, undefined],
  ])('reads %p as %p', (error, failure) => {
    expect(storageFailureOf(error)).toBe(failure);
  });
});
