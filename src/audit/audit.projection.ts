import { ReadModelTransaction } from '../database/read-model-database';
import { StoredEvent } from '../event-store/event-store.port';
import { asStored } from '../event-store/upcasters';
import { Projection } from '../projections/projection';
import { auditLeafHash } from './audit-leaf';
import { toHex } from './merkle/merkle-hash';
import { MerkleFrontier, decomposition } from './merkle/merkle-frontier';
import { MissingSubtreeError, subtreeKey } from './merkle/stored-subtrees';
import { readSubtreeHashes } from './subtree-rows';

type TreeEdge = { frontier: MerkleFrontier; lastPosition: bigint };

/**
 * The log's Merkle tree, kept incrementally: each event appends its leaf (the event exactly as
 * stored, whatever the upcasters make of it) and every subtree it completes. Idempotent by
 * position. The right edge is read once per batch (O(log n) rows) and then kept in memory for
 * the rest of that transaction only.
 */
export class AuditProjection implements Projection {
  readonly name = 'audit-merkle';
  private readonly edges = new WeakMap<ReadModelTransaction, TreeEdge>();

  async apply(trx: ReadModelTransaction, event: StoredEvent): Promise<void> {
    const stored = asStored(event);
    const edge = this.edges.get(trx) ?? (await this.loadEdge(trx));
    if (stored.position <= edge.lastPosition) return;
    const leaf = auditLeafHash(stored);
    const leafIndex = edge.frontier.size;
    const nodes: { level: number; node_index: number; hash: string }[] = [];
    edge.frontier.append(leaf, (level, index, hash) => nodes.push({ level, node_index: index, hash: toHex(hash) }));
    await trx.insertInto('audit_leaves').values({ leaf_index: leafIndex, position: stored.position.toString(), hash: toHex(leaf) }).execute();
    if (nodes.length > 0) await trx.insertInto('audit_nodes').values(nodes).execute();
    edge.lastPosition = stored.position;
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
