import { EventStore } from '../event-store/event-store.port';
import { AuditTree } from './audit-tree';
import { entryLine, headerLine } from './export-format';
import { TreeHeadSigner } from './tree-head.signer';

const BATCH = 2000;

/**
 * The log as export NDJSON, in chunks of lines: the signed head of the tree as it is when the
 * export starts, then that many events with the stored tree's leaf hashes. A log that lost events
 * ends the export short, which the verifier reports.
 */
export async function* exportLog(store: EventStore, tree: AuditTree, signer: TreeHeadSigner): AsyncGenerator<string> {
  const head = await signer.currentHead(tree);
  yield `${headerLine(head)}\n`;
  let after = 0n;
  for (let index = 0; index < head.treeSize; index += BATCH) {
    const limit = Math.min(BATCH, head.treeSize - index);
    const [events, leaves] = await Promise.all([store.readAll({ after, limit }), tree.leaves(index, limit)]);
    const count = Math.min(events.length, leaves.length);
    let chunk = '';
    for (let i = 0; i < count; i++) chunk += `${entryLine(leaves[i].leafIndex, leaves[i].hash, events[i])}\n`;
    yield chunk;
    if (count < limit) return;
    after = events[count - 1].position;
  }
}
