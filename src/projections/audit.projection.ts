import { auditLeafHash } from '../audit/audit-leaf';
import { MerkleFrontier, decomposition } from '../audit/merkle/merkle-frontier';
import { toHex } from '../audit/merkle/merkle-hash';
import { MissingSubtreeError, subtreeKey } from '../audit/merkle/stored-subtrees';
import { readSubtreeHashes } from '../audit/subtree-rows';
import { ReadModelTransaction } from '../database/read-model-database';
import { StoredEvent } from '../event-store/event-store.port';
import { EventForm, Projection } from './projection';

type TreeEdge = { frontier: MerkleFrontier; lastPosition: bigint };

/** Three parameters a row: far below SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const ROWS_PER_INSERT = 2000;

/**
 * The log's Merkle tree, kept incrementally: each event appends its leaf (the event exactly as
 * stored, whatever the upcasters make of it) and every subtree it completes, written once per
 * batch. Idempotent by position. The right edge is read once per batch (O(log n) rows) and then
 * kept in memory for the rest of that transaction only.
 */
export class AuditProjection implements Projection {
  readonly name = 'audit-merkle';
  // The leaf hashes the event exactly as stored: an upcast one would hash differently.
  readonly takes: EventForm = 'stored';
  private readonly edges = new WeakMap<ReadModelTransaction, TreeEdge>();

  async apply(trx: ReadModelTransaction, events: readonly StoredEvent[]): Promise<void> {
    try {
      await this.applyTo(trx, events);
    } catch (error) {
      // Its rows are undone (a savepoint, or the transaction): the edge kept for `trx` no longer is the tree's.
      this.edges.delete(trx);
      throw error;
    }
  }

  private async applyTo(trx: ReadModelTransaction, events: readonly StoredEvent[]): Promise<void> {
    const edge = this.edges.get(trx) ?? (await this.loadEdge(trx));
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
    for (let i = 0; i < leaves.length; i += ROWS_PER_INSERT) await trx.insertInto('audit_leaves').values(leaves.slice(i, i + ROWS_PER_INSERT)).execute();
    for (let i = 0; i < nodes.length; i += ROWS_PER_INSERT) await trx.insertInto('audit_nodes').values(nodes.slice(i, i + ROWS_PER_INSERT)).execute();
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
    this.edges.set(trx, edge);
    return edge;
  }
}
