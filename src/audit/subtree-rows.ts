import { Kysely } from 'kysely';
import { ReadModelSchema } from '../database/schema';
import { Hash } from './merkle/merkle-hash';
import { Subtree } from './merkle/merkle-frontier';
import { subtreeKey } from './merkle/stored-subtrees';

/**
 * The stored hashes of these subtrees, by `subtreeKey`: leaves from `audit_leaves`, the rest from
 * `audit_nodes`, each one indexed point read (two statements in all).
 */
export async function readSubtreeHashes(db: Kysely<ReadModelSchema>, subtrees: readonly Subtree[]): Promise<Map<string, Hash>> {
  const hashes = new Map<string, Hash>();
  const leaves = subtrees.filter((subtree) => subtree.level === 0).map((subtree) => subtree.index);
  const nodes = subtrees.filter((subtree) => subtree.level > 0);
  if (leaves.length > 0) {
    const rows = await db.selectFrom('audit_leaves').select(['leaf_index', 'hash']).where('leaf_index', 'in', leaves).execute();
    for (const row of rows) hashes.set(subtreeKey(0, Number(row.leaf_index)), Buffer.from(row.hash, 'hex'));
  }
  if (nodes.length > 0) {
    const rows = await db
      .selectFrom('audit_nodes')
      .select(['level', 'node_index', 'hash'])
      .where((eb) => eb.or(nodes.map((node) => eb.and([eb('level', '=', node.level), eb('node_index', '=', node.index)]))))
      .execute();
    for (const row of rows) hashes.set(subtreeKey(Number(row.level), Number(row.node_index)), Buffer.from(row.hash, 'hex'));
  }
  return hashes;
}
