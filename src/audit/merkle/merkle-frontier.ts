import { EMPTY_TREE_ROOT, Hash, nodeHash } from './merkle-hash';

/** A perfect subtree: 2^level leaves starting at leaf index × 2^level. */
export type Subtree = Readonly<{ level: number; index: number }>;

/**
 * The perfect subtrees a tree of `size` leaves decomposes into, largest (leftmost) first: one per
 * set bit of `size`. Their hashes are all it takes to compute the root or to append a leaf.
 */
export function decomposition(size: number): Subtree[] {
  const subtrees: Subtree[] = [];
  let width = 1;
  let level = 0;
  while (width * 2 <= size) {
    width *= 2;
    level++;
  }
  let offset = 0;
  for (; level >= 0; level--, width /= 2) {
    if (offset + width <= size) {
      subtrees.push({ level, index: offset / width });
      offset += width;
    }
  }
  return subtrees;
}

/**
 * The right edge of an append-only Merkle tree (a compact range from leaf 0): appends leaves in
 * O(1) amortised hashes and gives the root in O(log n), holding O(log n) hashes.
 */
export class MerkleFrontier {
  private readonly hashes: Hash[];
  private count: number;

  /** `subtrees`: the hashes of `decomposition(size)`, in its order. */
  constructor(size = 0, subtrees: readonly Hash[] = []) {
    if (subtrees.length !== decomposition(size).length) throw new RangeError(`a tree of ${size} leaves has ${decomposition(size).length} edge subtrees`);
    this.count = size;
    this.hashes = [...subtrees];
  }

  get size(): number {
    return this.count;
  }

  /** Adds the next leaf; `onNode` hears of every perfect subtree (level ≥ 1) it completes, lowest first. */
  append(leaf: Hash, onNode?: (level: number, index: number, hash: Hash) => void): void {
    this.appendSubtree(leaf, 0, onNode);
  }

  /**
   * Adds the next 2^level leaves at once, given as the hash of their perfect subtree; the size
   * must be a multiple of 2^level, as it is after whole subtrees of that level or above.
   */
  appendSubtree(subtree: Hash, level: number, onNode?: (level: number, index: number, hash: Hash) => void): void {
    const width = 2 ** level;
    if (this.count % width !== 0) throw new RangeError(`a subtree of ${width} leaves cannot follow ${this.count} leaves`);
    let hash = subtree;
    let index = this.count / width;
    while (index % 2 === 1) {
      hash = nodeHash(this.hashes.pop()!, hash);
      index = (index - 1) / 2;
      level++;
      onNode?.(level, index, hash);
    }
    this.hashes.push(hash);
    this.count += width;
  }

  /** The hashes of `decomposition(size)`, in its order. */
  edge(): Hash[] {
    return [...this.hashes];
  }

  root(): Hash {
    if (this.hashes.length === 0) return EMPTY_TREE_ROOT;
    let root = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--) root = nodeHash(this.hashes[i], root);
    return root;
  }
}
