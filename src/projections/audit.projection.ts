import { auditLeafHash } from '../audit/audit-leaf';
import { MerkleFrontier, decomposition } from '../audit/merkle/merkle-frontier';
import { toHex } from '../audit/merkle/merkle-hash';
import { MissingSubtreeError, subtreeKey } from '../audit/merkle/stored-subtrees';
import { readSubtreeHashes } from '../audit/subtree-rows';
import { insertRows } from '../database/compiled-query';
import { ReadModelTransaction } from '../database/read-model-database';
import { StoredEvent } from '../event-store/event-store.port';
import { CheckpointPoint, EventForm, Projection, samePoint } from './projection';

type TreeEdge = { frontier: MerkleFrontier; lastPosition: bigint };

/** Three parameters a row: far below SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const ROWS_PER_INSERT = 2000;

/**
 * The log's Merkle tree, kept incrementally: each event appends its leaf (the event exactly as
 * stored, whatever the upcasters make of it) and every subtree it completes, written once per
 * batch. Idempotent by position. The right edge (O(log n) hashes) is read when a batch starts and
 * kept for the next one, which uses it only if it starts where this one left the checkpoint: a
 * batch rolled back, events applied by another process, or a rebuild (a new generation) make it
 * read the edge again.
 */
export class AuditProjection implements Projection {
  readonly name = 'audit-merkle';
  // The leaf hashes the event exactly as stored: an upcast one would hash differently.
  readonly takes: EventForm = 'stored';
  /** The edge as the last batch that applied every event left it, and the checkpoint it left. */
  private kept?: Readonly<{ at: CheckpointPoint; edge: TreeEdge }>;

  async apply(trx: ReadModelTransaction, events: readonly StoredEvent[], from: CheckpointPoint): Promise<void> {
    const kept = this.kept;
    // Taken: a batch that fails leaves nothing kept (its rows are undone, its edge may be half moved).
    this.kept = undefined;
    const edge = kept && samePoint(kept.at, from) ? kept.edge : await this.loadEdge(trx);
    await this.applyTo(trx, edge, events);
    this.kept = { at: { generation: from.generation, position: events[events.length - 1].position }, edge };
  }

  rolledBack(): void {
    this.kept = undefined;
  }

  private async applyTo(trx: ReadModelTransaction, edge: TreeEdge, events: readonly StoredEvent[]): Promise<void> {
    const leaves: { leaf_index: number; position: string; hash: string }[] = [];
    const nodes: { level: number; node_index: number; hash: string }[] = [];
    for (const event of events) {
      if (event.position <= edge.lastPosition) continue;
      const leaf = auditLeafHash(event);
      leaves.push({ leaf_index: edge.frontier.size, position: event.position.toString(), hash: toHex(leaf) });
      edge.frontier.append(leaf, (level, index, hash) => nodes.push({ level, node_index: index, hash: toHex(hash) }));
      edge.lastPosition = event.position;
    }
    // Rows in chunks: one statement each, within every dialect's limit on parameters.
    for (let i = 0; i < leaves.length; i += ROWS_PER_INSERT) await insertRows(trx, 'audit_leaves', leaves.slice(i, i + ROWS_PER_INSERT));
    for (let i = 0; i < nodes.length; i += ROWS_PER_INSERT) await insertRows(trx, 'audit_nodes', nodes.slice(i, i + ROWS_PER_INSERT));
  }

  private async loadEdge(trx: ReadModelTransaction): Promise<TreeEdge> {
    const last = await trx.selectFrom('audit_leaves').select(['leaf_index', 'position']).orderBy('leaf_index', 'desc').limit(1).executeTakeFirst();
    const size = last ? Number(last.leaf_index) + 1 : 0;
    const subtrees = decomposition(size);
    const hashes = await readSubtreeHashes(trx, subtrees);
    const edge: TreeEdge = {
      frontier: new MerkleFrontier(
        size,
        subtrees.map(({ level, index }) => {
          const hash = hashes.get(subtreeKey(level, index));
          if (!hash) throw new MissingSubtreeError(level, index);
          return hash;
        }),
      ),
      lastPosition: last ? BigInt(last.position) : 0n,
    };
    return edge;
  }
}
