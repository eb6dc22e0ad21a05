import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import { DevelopmentView } from '../../domain/knowledge/development-view';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { LoggedEvent, replayKnowledge } from '../../domain/knowledge/knowledge.replay';
import { EventStore } from '../../event-store/event-store.port';
import { upcast } from '../../event-store/upcasters';
import { KnowledgeCursor, KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';

export type LogReplay = Readonly<{
  /** The last log position folded. */
  position: number;
  items: DevelopmentView[];
  /** SHA-256 (hex) of the RFC 8785 canonical JSON of `items`. */
  digest: string;
  matchesReadModel: boolean;
}>;

const BATCH = 5000;
const PAGE = 500;

export const viewDigest = (items: readonly DevelopmentView[]): string =>
  createHash('sha256').update(canonicalize(items) ?? '').digest('hex');

/**
 * The knowledge view at `at`, folded from the raw log (upcasted, never the read model), and whether
 * the read model answers the same. `caughtUp` waits until the projections have applied the last
 * position folded, so both answers cover the same events.
 */
export async function replayLog(
  store: EventStore,
  queries: KnowledgeQueries,
  caughtUp: (position: bigint) => Promise<void>,
  at: TimePoint,
  filter: KnowledgeFilter,
): Promise<LogReplay> {
  const events: LoggedEvent[] = [];
  let after = 0n;
  for (let batch = await store.readAll({ after, limit: BATCH }); batch.length > 0; batch = await store.readAll({ after, limit: BATCH })) {
    for (const event of batch) {
      const current = upcast(event);
      events.push({ type: current.type, data: current.data, recordedAt: current.recordedAt });
    }
    after = batch[batch.length - 1].position;
    if (batch.length < BATCH) break;
  }
  await caughtUp(after);
  const items = replayKnowledge(events, at, filter);
  const digest = viewDigest(items);
  const readModel = await knowledgePages(queries, at, filter);
  return { position: Number(after), items, digest, matchesReadModel: viewDigest(readModel) === digest };
}

async function knowledgePages(queries: KnowledgeQueries, at: TimePoint, filter: KnowledgeFilter): Promise<DevelopmentView[]> {
  const items: DevelopmentView[] = [];
  let cursor: KnowledgeCursor | undefined;
  do {
    const page = await queries.knowledgeAsOf(at, filter, PAGE, cursor);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return items;
}
