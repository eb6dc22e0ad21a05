import { Hash } from './merkle-hash';
import { Subtree } from './merkle-frontier';
import { SubtreeReader } from './merkle-proofs';

const PLACEHOLDER = Buffer.alloc(32);
const key = (level: number, index: number): string => `${level}:${index}`;

/**
 * Runs a tree computation against stored subtree hashes in two steps: a dry run records which
 * subtrees it reads (the algorithms' reads never depend on the hashes), one fetch loads them all,
 * and the real run uses them. So a head or a proof costs one round trip of O(log n) point reads.
 */
export async function withStoredSubtrees<T>(
  compute: (read: SubtreeReader) => T,
  fetch: (subtrees: readonly Subtree[]) => Promise<ReadonlyMap<string, Hash>>,
): Promise<T> {
  const wanted = new Map<string, Subtree>();
  compute((level, index) => {
    wanted.set(key(level, index), { level, index });
    return PLACEHOLDER;
  });
  const hashes = await fetch([...wanted.values()]);
  return compute((level, index) => {
    const hash = hashes.get(key(level, index));
    if (!hash) throw new MissingSubtreeError(level, index);
    return hash;
  });
}

export const subtreeKey = key;

/** The stored tree lacks a subtree it should have: the tree tables were damaged. */
export class MissingSubtreeError extends Error {
  constructor(
    readonly level: number,
    readonly index: number,
  ) {
    super(`the stored Merkle tree has no node at level ${level}, index ${index}`);
    this.name = 'MissingSubtreeError';
  }
}
