import { EventStore } from '../../event-store/event-store.port';
import { leafHashOf } from '../audit-leaf';
import { AuditTree } from '../audit-tree';
import { toHex } from '../merkle/merkle-hash';
import { MerkleFrontier, decomposition } from '../merkle/merkle-frontier';
import { MissingSubtreeError, subtreeKey } from '../merkle/stored-subtrees';
import { LeafRange, LeafRangeChecker } from './leaf-ranges';
import { messageOf } from '../../platform/error-message';

export type MismatchReason =
  /** The event at this leaf hashes differently from the stored leaf: its row was changed. */
  | 'leaf-hash'
  /** Another position stands where the leaf's event was: a row was deleted or moved. */
  | 'position'
  /** The log ends before the tree does: rows at the end were deleted. */
  | 'missing-event'
  /** The leaves all match, but a stored subtree above them does not: the tree itself was changed. */
  | 'tree-node';

export type Mismatch = Readonly<{
  leafIndex: number;
  /** The position the tree holds for that leaf: the first bad position. */
  position: number;
  reason: MismatchReason;
  expected: string;
  actual: string | null;
}>;

export type LogVerification = Readonly<{
  ok: boolean;
  treeSize: number;
  /** The root recomputed from the log's first `treeSize` events (as many as there are). */
  rootHash: string;
  firstMismatch?: Mismatch;
}>;

const BATCH = 5000;

/** Leaves per range in the parallel pass: a perfect subtree, so each range's hashes join the root whole. */
export const RANGE_LEAVES = 2 ** 13;

export type VerifyOptions = Readonly<{
  /** Check the tree in ranges with these first (worker threads, or queries in flight); the one-thread pass does the rest. */
  workers?: LeafRangeChecker;
  /** Leaves per range (a power of two); default {@link RANGE_LEAVES}. */
  rangeLeaves?: number;
  /**
   * Told when the workers fail; the one-thread pass then goes on from the last range they found
   * matching. Without it, a failure of the workers fails verify.
   */
  onWorkersFailed?: (error: unknown) => void;
}>;

/** What to say when the workers failed: the report is still whole, the one-thread pass having done the rest. */
export const workersFailed = (error: unknown): string =>
  `verify's worker threads failed, verifying the rest on one thread: ${messageOf(error)}`;

/** Where the one-thread pass starts: after the leaves the parallel pass found matching. */
type Start = { index: number; after: bigint; frontier: MerkleFrontier };

/**
 * Recomputes every leaf of the stored tree from the event store and compares leaf by leaf, then
 * the root. Reads the log and the tree once, in batches; holds O(log n) hashes. Events appended
 * after the tree's last leaf are not yet in the tree and are not checked.
 *
 * With `workers`, worker threads first check aligned ranges of leaves (see `checkLeafRange`) and
 * hand back each range's subtree hashes; this thread goes on from the first range that does not
 * match (or from where they got to, should they fail), leaf by leaf, so what it reports is the
 * same either way.
 */
export async function verifyLog(store: EventStore, tree: AuditTree, options: VerifyOptions = {}): Promise<LogVerification> {
  const treeSize = await tree.size();
  // A tree missing one of its edge subtrees has no root: it fails like any other damage to the tree.
  const storedRoot = await tree.root(treeSize).catch((error: unknown) => {
    if (error instanceof MissingSubtreeError) return undefined;
    throw error;
  });
  const start: Start = { index: 0, after: 0n, frontier: new MerkleFrontier() };
  const { workers, rangeLeaves = RANGE_LEAVES, onWorkersFailed } = options;
  // `start` moves past each matching range as it comes in, so a failure leaves it where the workers got to.
  if (workers && treeSize >= 2 * rangeLeaves) {
    await verifyInWorkers(workers, rangeLeaves, treeSize, start).catch((error: unknown) => {
      if (!onWorkersFailed) throw error;
      onWorkersFailed(error);
    });
  }
  const { frontier } = start;
  let firstMismatch: Mismatch | undefined;
  let after = start.after;
  scan: for (let index = start.index; index < treeSize; index += BATCH) {
    const limit = Math.min(BATCH, treeSize - index);
    const [events, leaves] = await Promise.all([store.readAllText({ after, limit }), tree.leaves(index, limit)]);
    for (let i = 0; i < limit; i++) {
      const leaf = leaves[i];
      const event = events[i];
      if (!leaf || leaf.leafIndex !== index + i) {
        // A leaf row is gone from the tree itself.
        const position = Number(event?.position ?? 0n);
        firstMismatch ??= { leafIndex: index + i, position, reason: 'tree-node', expected: '', actual: event ? toHex(leafHashOf(event)) : null };
        break scan;
      }
      if (!event) {
        firstMismatch ??= { leafIndex: leaf.leafIndex, position: Number(leaf.position), reason: 'missing-event', expected: leaf.hash, actual: null };
        break scan;
      }
      const hash = leafHashOf(event, leaf.hash);
      frontier.append(hash);
      if (firstMismatch) continue;
      const actual = toHex(hash);
      if (event.position !== leaf.position) {
        firstMismatch = { leafIndex: leaf.leafIndex, position: Number(leaf.position), reason: 'position', expected: leaf.hash, actual };
      } else if (actual !== leaf.hash) {
        firstMismatch = { leafIndex: leaf.leafIndex, position: Number(leaf.position), reason: 'leaf-hash', expected: leaf.hash, actual };
      }
    }
    after = events[events.length - 1].position;
  }
  const rootHash = frontier.root();
  firstMismatch ??= storedRoot?.equals(rootHash) ? undefined : await firstBadSubtree(tree, frontier, treeSize);
  return { ok: firstMismatch === undefined, treeSize, rootHash: toHex(rootHash), ...(firstMismatch ? { firstMismatch } : {}) };
}

/**
 * Moves `start` past the aligned ranges, checked in worker threads, that match: up to the first
 * that does not, or to the end of the tree.
 */
async function verifyInWorkers(workers: LeafRangeChecker, rangeLeaves: number, treeSize: number, start: Start): Promise<void> {
  const ranges: LeafRange[] = [];
  for (let fromIndex = 0; fromIndex < treeSize; fromIndex += rangeLeaves) ranges.push({ fromIndex, count: Math.min(rangeLeaves, treeSize - fromIndex) });
  await workers.check(ranges, (range) => {
    if (!range.matches) return false;
    decomposition(range.count).forEach(({ level }, i) => start.frontier.appendSubtree(Buffer.from(range.edge[i], 'hex'), level));
    start.index = range.fromIndex + range.count;
    start.after = BigInt(range.lastPosition);
    return true;
  });
}

/** Every leaf matched, yet the roots differ: the first edge subtree whose stored hash is not the recomputed one. */
async function firstBadSubtree(tree: AuditTree, frontier: MerkleFrontier, treeSize: number): Promise<Mismatch> {
  const subtrees = decomposition(treeSize);
  const recomputed = frontier.edge();
  const stored = await tree.subtreeHashes(subtrees);
  const bad = subtrees.findIndex(({ level, index }, i) => !stored.get(subtreeKey(level, index))?.equals(recomputed[i]));
  const { level, index } = subtrees[Math.max(0, bad)];
  const leafIndex = index * 2 ** level;
  const [leaf] = await tree.leaves(leafIndex, 1);
  const storedHash = stored.get(subtreeKey(level, index));
  return {
    leafIndex,
    position: Number(leaf?.position ?? 0n),
    reason: 'tree-node',
    expected: storedHash ? toHex(storedHash) : '',
    actual: toHex(recomputed[Math.max(0, bad)]),
  };
}
