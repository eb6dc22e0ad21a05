import { EMPTY_TREE_ROOT, Hash, nodeHash, splitPoint } from './merkle-hash';

/**
 * The hash of the perfect subtree at `level` (2^level leaves) whose first leaf is index × 2^level:
 * a leaf hash at level 0. Every algorithm here reads the tree only through one of these.
 */
export type SubtreeReader = (level: number, index: number) => Hash;

function levelOf(size: number): number | undefined {
  let level = 0;
  for (let width = 1; width <= size; width *= 2, level++) if (width === size) return level;
  return undefined;
}

/**
 * MTH(D[start:end]) of RFC 9162 §2.1.1, from the perfect subtrees of the range: one read per bit of
 * its size. Every range the RFC's recursions ask for starts at a multiple of its perfect parts.
 */
export function rangeHash(start: number, end: number, read: SubtreeReader): Hash {
  const size = end - start;
  if (size <= 0) throw new RangeError(`empty range [${start}, ${end})`);
  const level = levelOf(size);
  if (level !== undefined) {
    if (start % size !== 0) throw new RangeError(`range [${start}, ${end}) is not aligned`);
    return read(level, start / size);
  }
  const k = splitPoint(size);
  return nodeHash(rangeHash(start, start + k, read), rangeHash(start + k, end, read));
}

/** MTH(D[n]): the root of the tree of the first `size` leaves. */
export function rootHash(size: number, read: SubtreeReader): Hash {
  return size === 0 ? EMPTY_TREE_ROOT : rangeHash(0, size, read);
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(index: number, size: number, read: SubtreeReader): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path: Hash[] = [];
  const walk = (m: number, start: number, end: number): void => {
    if (end - start === 1) return;
    const k = splitPoint(end - start);
    if (m < k) {
      walk(m, start, start + k);
      path.push(rangeHash(start + k, end, read));
    } else {
      walk(m - k, start + k, end);
      path.push(rangeHash(start, start + k, read));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: proves the tree of `first` leaves is a prefix of the tree of `second`. */
export function consistencyProof(first: number, second: number, read: SubtreeReader): Hash[] {
  if (!(first >= 0 && first <= second)) throw new RangeError(`no consistency proof from ${first} to ${second}`);
  const proof: Hash[] = [];
  if (first === 0) return proof;
  // SUBPROOF(m, D[start:end], b): b says whether MTH(D[start:start+m]) is the first root itself.
  const subproof = (m: number, start: number, end: number, b: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!b) proof.push(rangeHash(start, end, read));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, b);
      proof.push(rangeHash(start + k, end, read));
    } else {
      subproof(m - k, start + k, end, false);
      proof.push(rangeHash(start, start + k, read));
    }
  };
  subproof(first, 0, second, true);
  return proof;
}
