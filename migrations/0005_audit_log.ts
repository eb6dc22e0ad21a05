import { Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The audit log's Merkle tree (RFC 9162), kept by the audit projection: `audit_leaves` holds leaf i
 * (the i-th event of the log, 0-based) with its position; `audit_nodes` every complete subtree
 * above the leaves, at (level, index) covering leaves [index × 2^level, (index + 1) × 2^level).
 * Rows are only ever inserted. Hashes are lowercase hex.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('audit_leaves')
    .addColumn('leaf_index', postgres ? 'bigint' : 'integer', (col) => col.primaryKey())
    .addColumn('position', 'bigint', (col) => col.notNull().unique())
    .addColumn('hash', 'text', (col) => col.notNull())
    .execute();
  let nodes = db.schema
    .createTable('audit_nodes')
    .addColumn('level', 'integer', (col) => col.notNull())
    .addColumn('node_index', 'bigint', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('audit_nodes_pk', ['level', 'node_index']);
  if (!postgres) nodes = nodes.modifyEnd(sql`WITHOUT ROWID`);
  await nodes.execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_nodes').execute();
  await db.schema.dropTable('audit_leaves').execute();
}
