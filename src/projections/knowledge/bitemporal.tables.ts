import { ExpressionBuilder, Insertable, Transaction } from 'kysely';
import { insertRows, runCompiled } from '../../database/compiled-query';
import { ReadModelTransaction } from '../../database/read-model-database';
import { FOREVER, ReadModelSchema } from '../../database/schema';

/** The read-model tables whose rows are versions over transaction time (`sys_from`, `sys_to`). */
export type VersionedTableName = {
  [T in keyof ReadModelSchema]: ReadModelSchema[T] extends { sys_from: unknown; sys_to: unknown } ? T : never;
}[keyof ReadModelSchema];

type Column<T extends VersionedTableName> = keyof ReadModelSchema[T] & string;

/**
 * A versioned table and the columns that name one thing in it: at most one row per key has
 * `sys_to = FOREVER` (the current version).
 */
export type VersionedTable<T extends VersionedTableName, K extends Column<T>> = Readonly<{ name: T; key: readonly K[] }>;

export const DEVELOPMENT_VERSIONS: VersionedTable<'development_versions', 'development_id'> = { name: 'development_versions', key: ['development_id'] };
export const DEVELOPMENT_REVISIONS: VersionedTable<'development_revisions', 'revision_id'> = { name: 'development_revisions', key: ['revision_id'] };
export const DESCRIPTION_SEGMENTS: VersionedTable<'description_segments', 'development_id' | 'known_from'> = {
  name: 'description_segments',
  key: ['development_id', 'known_from'],
};
export const DEVELOPMENT_TOPICS: VersionedTable<'development_topics', 'development_id' | 'known_from'> = {
  name: 'development_topics',
  key: ['development_id', 'known_from'],
};
export const CLAIM_VERSIONS: VersionedTable<'claim_versions', 'claim_id'> = { name: 'claim_versions', key: ['claim_id'] };
export const STATUS_SEGMENTS: VersionedTable<'status_segments', 'development_id' | 'known_from'> = {
  name: 'status_segments',
  key: ['development_id', 'known_from'],
};

/** Which current versions to close: each key column equals a value, or is one of a list of values. */
export type CurrentVersions<T extends VersionedTableName, K extends Column<T>> = {
  readonly [C in K]: ReadModelSchema[T][C] | readonly ReadModelSchema[T][C][];
};

/** A next version: a row of the table without its transaction-time columns, which `supersede` sets. */
export type NextVersion<T extends VersionedTableName> = Omit<Insertable<ReadModelSchema[T]>, 'sys_from' | 'sys_to'>;

/** The view these statements are built on: kysely cannot resolve the columns of a generic table name. */
type VersionedRows = Record<string, { sys_from: unknown; sys_to: unknown } & Record<string, unknown>>;

const viewOf = (trx: ReadModelTransaction) => trx as unknown as Transaction<VersionedRows>;

/** The current versions whose key columns equal the given values (or are in the given lists). */
function current(key: readonly string[], values: Readonly<Record<string, unknown>>) {
  return (eb: ExpressionBuilder<VersionedRows, string>) =>
    eb.and([
      ...key.map((column) => {
        const value = values[column];
        return Array.isArray(value) ? eb(column, 'in', value) : eb(column, '=', value);
      }),
      eb('sys_to', '=', FOREVER),
    ]);
}

/** What makes the text of {@link current} differ: each key column compared to one value or to a list of so many. */
const currentShape = (key: readonly string[], values: Readonly<Record<string, unknown>>): string =>
  key.map((column) => (Array.isArray(values[column]) ? `${column} in ${(values[column] as unknown[]).length}` : column)).join(',');

/** The parameters of {@link current}, in the order of its text. */
function currentParameters(key: readonly string[], values: Readonly<Record<string, unknown>>, into: unknown[]): unknown[] {
  for (const column of key) {
    const value = values[column];
    if (Array.isArray(value)) into.push(...value);
    else into.push(value);
  }
  into.push(FOREVER);
  return into;
}

/** `columns` of the current version of one thing; throws if it has none. */
export async function currentVersion<T extends VersionedTableName, K extends Column<T>, C extends Column<T>>(
  trx: ReadModelTransaction,
  table: VersionedTable<T, K>,
  key: { readonly [P in K]: ReadModelSchema[T][P] },
  columns: readonly C[],
): Promise<{ [P in C]: ReadModelSchema[T][P] }> {
  const { rows } = await runCompiled(
    trx,
    `currentVersion ${table.name} ${columns.join(',')} where ${currentShape(table.key, key)}`,
    () => viewOf(trx).selectFrom(table.name as string).select(columns).where(current(table.key, key)),
    currentParameters(table.key, key, []),
  );
  if (rows.length === 0) throw new NoCurrentVersionError(table.name, key);
  return rows[0] as { [P in C]: ReadModelSchema[T][P] };
}

/** A thing with no current version, where the log says it has one (an event applied out of order, or twice). */
export class NoCurrentVersionError extends Error {
  constructor(table: string, key: object) {
    super(`no current version in ${table} for ${JSON.stringify(key)}`);
    this.name = 'NoCurrentVersionError';
  }
}

/**
 * The bitemporal step: closes the matching current versions at transaction time `at` and inserts
 * the next ones, current from `at`. An empty list of key values closes nothing; no rows inserts nothing.
 */
export async function supersede<T extends VersionedTableName, K extends Column<T>>(
  trx: ReadModelTransaction,
  table: VersionedTable<T, K>,
  at: number,
  change: Readonly<{ close?: CurrentVersions<T, K>; insert: readonly NextVersion<T>[] }>,
): Promise<void> {
  const { close, insert } = change;
  if (close && !table.key.some((column) => isEmptyList(close[column]))) {
    await runCompiled(
      trx,
      `supersede ${table.name} where ${currentShape(table.key, close)}`,
      () => viewOf(trx).updateTable(table.name as string).set({ sys_to: at }).where(current(table.key, close)),
      currentParameters(table.key, close, [at]),
    );
  }
  await insertRows(trx, table.name as VersionedTableName, insert.map((row) => ({ ...row, sys_from: at, sys_to: FOREVER })) as Insertable<ReadModelSchema[VersionedTableName]>[]);
}

const isEmptyList = (value: unknown): boolean => Array.isArray(value) && value.length === 0;
