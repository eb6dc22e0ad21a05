import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { EventStore } from '../../event-store/event-store.port';
import { KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';
import { LeafNotFoundError, TreeSizeError } from '../../audit/audit.errors';
import { AuditTree } from '../../audit/audit-tree';
import { exportLog } from '../../audit/log-export';
import { LogReplay, replayLog } from './log-replay';
import { LeafRangeChecker } from '../../audit/verify/leaf-ranges';
import { LogVerification, verifyLog, workersFailed } from '../../audit/verify/log-verifier';
import { toHex } from '../../audit/merkle/merkle-hash';
import { SignedTreeHead } from '../../audit/tree-head';
import { TreeHeadSigner } from '../../audit/tree-head.signer';

export type InclusionProof = Readonly<{ leafIndex: number; treeSize: number; leafHash: string; auditPath: string[] }>;
export type ConsistencyProof = Readonly<{ first: number; second: number; proof: string[] }>;

/** What an auditor asks of the log, over the stored tree, the store and the read model. */
export class AuditLog {
  constructor(
    private readonly store: EventStore,
    private readonly tree: AuditTree,
    private readonly signer: TreeHeadSigner,
    private readonly queries: KnowledgeQueries,
    /** Waits until the read model has applied a position (bounded). */
    private readonly caughtUp: (position: bigint) => Promise<void>,
    /** What verify checks the store's leaf ranges with first, when it has one (SQLite, PostgreSQL). */
    private readonly verifyWorkers?: LeafRangeChecker,
    /** Told when verify's worker threads fail and it goes on with one thread. */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Stops verify's worker threads, before the storage they read closes. */
  async close(): Promise<void> {
    await this.verifyWorkers?.close();
  }

  treeHead(): Promise<SignedTreeHead> {
    return this.signer.currentHead(this.tree);
  }

  async inclusion(position: bigint, requestedSize?: number): Promise<InclusionProof> {
    const treeSize = await this.sizeAtMost(requestedSize, 'treeSize');
    const leaf = await this.tree.leafAt(position);
    if (!leaf) throw new LeafNotFoundError(position);
    if (leaf.leafIndex >= treeSize) throw new TreeSizeError('treeSize', `must be more than the event's leaf index ${leaf.leafIndex}`);
    const path = await this.tree.inclusionProof(leaf.leafIndex, treeSize);
    return { leafIndex: leaf.leafIndex, treeSize, leafHash: leaf.hash, auditPath: path.map(toHex) };
  }

  async consistency(first: number, requestedSecond?: number): Promise<ConsistencyProof> {
    const second = await this.sizeAtMost(requestedSecond, 'second');
    if (first < 1 || first > second) throw new TreeSizeError('first', `must be from 1 to ${second}`);
    const proof = await this.tree.consistencyProof(first, second);
    return { first, second, proof: proof.map(toHex) };
  }

  verify(): Promise<LogVerification> {
    return verifyLog(this.store, this.tree, { workers: this.verifyWorkers, onWorkersFailed: (error) => this.warn(workersFailed(error)) });
  }

  replay(at: TimePoint, filter: KnowledgeFilter): Promise<LogReplay> {
    return replayLog(this.store, this.queries, this.caughtUp, at, filter);
  }

  export(): AsyncGenerator<string> {
    return exportLog(this.store, this.tree, this.signer);
  }

  /** The requested size, or the current one; never more than the tree has. */
  private async sizeAtMost(requested: number | undefined, field: string): Promise<number> {
    const size = await this.tree.size();
    if (requested === undefined) return size;
    if (requested > size) throw new TreeSizeError(field, `must be at most the tree's size, ${size}`);
    return requested;
  }
}
