import { Hash, leafHash, nodeHash, splitPoint, EMPTY_TREE_ROOT } from '../../../src/audit/merkle/merkle-hash';
import { SubtreeReader } from '../../../src/audit/merkle/merkle-proofs';

/** Every perfect subtree of a list of leaves, in memory: the reader the algorithms run on in tests. */
export function memoryReader(leaves: readonly Buffer[]): SubtreeReader {
  const levels: Hash[][] = [leaves.map((leaf) => leafHash(leaf))];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const level: Hash[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) level.push(nodeHash(below[i], below[i + 1]));
    levels.push(level);
  }
  return (level, index) => {
    const hash = levels[level]?.[index];
    if (!hash) throw new Error(`no subtree at ${level}:${index}`);
    return hash;
  };
}

/** RFC 9162 §2.1 written out recursively over the leaf data, with no stored subtrees: the reference. */
export const naive = {
  root(leaves: readonly Buffer[]): Hash {
    if (leaves.length === 0) return EMPTY_TREE_ROOT;
    if (leaves.length === 1) return leafHash(leaves[0]);
    const k = splitPoint(leaves.length);
    return nodeHash(naive.root(leaves.slice(0, k)), naive.root(leaves.slice(k)));
  },
  path(m: number, leaves: readonly Buffer[]): Hash[] {
    if (leaves.length <= 1) return [];
    const k = splitPoint(leaves.length);
    return m < k
      ? [...naive.path(m, leaves.slice(0, k)), naive.root(leaves.slice(k))]
      : [...naive.path(m - k, leaves.slice(k)), naive.root(leaves.slice(0, k))];
  },
  proof(m: number, leaves: readonly Buffer[]): Hash[] {
    const subproof = (m: number, d: readonly Buffer[], b: boolean): Hash[] => {
      if (m === d.length) return b ? [] : [naive.root(d)];
      const k = splitPoint(d.length);
      return m <= k
        ? [...subproof(m, d.slice(0, k), b), naive.root(d.slice(k))]
        : [...subproof(m - k, d.slice(k), false), naive.root(d.slice(0, k))];
    };
    return m === 0 ? [] : subproof(m, leaves, true);
  },
};
