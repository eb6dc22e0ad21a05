import { ReadModelDatabase } from '../database/read-model-database';
import { Hash } from './merkle/merkle-hash';
import { Subtree } from './merkle/merkle-frontier';
import { SubtreeReader, consistencyProof, inclusionProof, rootHash } from './merkle/merkle-proofs';
import { withStoredSubtrees } from './merkle/stored-subtrees';
import { readSubtreeHashes } from './subtree-rows';

export type StoredLeaf = Readonly<{ leafIndex: number; position: bigint; hash: string }>;

/**
 * The stored Merkle tree of the log, as the audit projection wrote it. A root or a proof for any
 * size is computed from O(log n) stored subtrees, fetched in one round trip; nothing scans the log.
 */
export class AuditTree {
  constructor(private readonly db: ReadModelDatabase) {}

  /** How many leaves (events) the tree has. */
  async size(): Promise<number> {
    const row = await this.db.query.selectFrom('audit_leaves').select((eb) => eb.fn.max('leaf_index').as('last')).executeTakeFirst();
    return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
  }

  root(size: number): Promise<Hash> {
    return this.compute((read) => rootHash(size, read));
  }

  inclusionProof(leafIndex: number, size: number): Promise<Hash[]> {
    return this.compute((read) => inclusionProof(leafIndex, size, read));
  }

  consistencyProof(first: number, second: number): Promise<Hash[]> {
    return this.compute((read) => consistencyProof(first, second, read));
  }

  /** Stored hashes of these subtrees, by `subtreeKey`; absent ones are missing from the tree. */
  subtreeHashes(subtrees: readonly Subtree[]): Promise<Map<string, Hash>> {
    return readSubtreeHashes(this.db.query, subtrees);
  }

  async leafAt(position: bigint): Promise<StoredLeaf | undefined> {
    const row = await this.db.query
      .selectFrom('audit_leaves')
      .select(['leaf_index', 'position', 'hash'])
      .where('position', '=', position.toString())
      .executeTakeFirst();
    return row ? { leafIndex: Number(row.leaf_index), position: BigInt(row.position), hash: row.hash } : undefined;
  }

  /** Leaves from `fromIndex` on, in order; fewer than `limit` only at the end of the tree. */
  async leaves(fromIndex: number, limit: number): Promise<StoredLeaf[]> {
    const rows = await this.db.query
      .selectFrom('audit_leaves')
      .select(['leaf_index', 'position', 'hash'])
      .where('leaf_index', '>=', fromIndex)
      .orderBy('leaf_index')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ leafIndex: Number(row.leaf_index), position: BigInt(row.position), hash: row.hash }));
  }

  private compute<T>(algorithm: (read: SubtreeReader) => T): Promise<T> {
    return withStoredSubtrees(algorithm, (subtrees) => readSubtreeHashes(this.db.query, subtrees));
  }
}
