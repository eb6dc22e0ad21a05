import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { knowledgeReachOf } from '../../domain/knowledge/knowledge-reach';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { upcast } from '../../event-store/upcasters';
import { KnowledgeCursor, KnowledgePageText, KnowledgeQueries, ReadModelPoint } from '../../projections/knowledge/knowledge.queries';
import { samePoint } from '../../projections/projection';
import { ProjectionGate } from '../../projections/projection-gate';
import { KnowledgePagesCache } from './knowledge-pages.cache';

export const KNOWLEDGE_PAGES_CACHE = Symbol('KnowledgePagesCache');

export class KnowledgeAsOfQuery {
  constructor(
    readonly at: TimePoint,
    readonly filter: KnowledgeFilter,
    readonly limit: number,
    readonly cursor: KnowledgeCursor | undefined,
    readonly minPosition: bigint | undefined,
    /** `asOf` was given: the page is the same for every request like this one (not one of "now"'s). */
    readonly fixedAsOf = false,
  ) {}
}

/** Every filter, named: a filter added to {@link KnowledgeFilter} and not to the key fails to compile. */
const filterKey = (filter: KnowledgeFilter): { [F in keyof Required<KnowledgeFilter>]: KnowledgeFilter[F] | undefined } => ({
  topics: filter.topics,
  sourceId: filter.sourceId,
  status: filter.status,
  occurredFromMs: filter.occurredFromMs,
  occurredToMs: filter.occurredToMs,
  occurredMatch: filter.occurredMatch,
  searchTerms: filter.searchTerms,
});

/**
 * What the page depends on besides the read model. Any `recordedAsOf` at or after the latest
 * transaction time applied reads the same rows (every version starts and ends at such a time, or
 * never ends), so those share one key: "latest".
 */
function pageKey({ at, filter, limit, cursor }: KnowledgeAsOfQuery, point: ReadModelPoint): string {
  const recorded = at.recordedAsOfMs >= point.recordedAtMs ? 'latest' : at.recordedAsOfMs;
  return JSON.stringify([at.asOfMs, recorded, filterKey(filter), limit, cursor?.sortKey ?? null, cursor?.id ?? null]);
}

/**
 * Events read to learn how far back a move of the read model reaches; a move over more empties the
 * cache (reading them would cost more than the pages it keeps).
 */
const MAX_EVENTS_FOLLOWED = 1000;

/** `/v1/knowledge`'s page, its items as JSON: kept in {@link KnowledgePagesCache} when `asOf` was given. */
@QueryHandler(KnowledgeAsOfQuery)
export class KnowledgeAsOfHandler implements IQueryHandler<KnowledgeAsOfQuery, KnowledgePageText> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
    @Inject(KNOWLEDGE_PAGES_CACHE) private readonly cache: KnowledgePagesCache,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(query: KnowledgeAsOfQuery): Promise<KnowledgePageText> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    if (!query.fixedAsOf || !this.cache.enabled) return this.read(query);
    const before = await this.knowledge.readModelPoint();
    if (!(await this.cache.follow(before, (after, upTo) => this.reachOfEvents(after, upTo)))) return this.read(query);
    const key = pageKey(query, before);
    const cached = this.cache.get(key, before);
    if (cached) return cached;
    const page = await this.read(query);
    // Kept only if nothing was applied while it was read: its rows are then those of `before`.
    if (samePoint(await this.knowledge.readModelPoint(), before)) this.cache.set(key, before, query.at.asOfMs, page);
    return page;
  }

  /**
   * The earliest knowledge time the events applied after `after` up to `upTo` reach. −∞ unless the
   * read holds them all, up to the event at `upTo` (a checkpoint is the position of an event applied):
   * past {@link MAX_EVENTS_FOLLOWED}, or from a log replica behind the read model (KurrentDB read from
   * a follower, the read model shared with an instance that read the leader).
   */
  private async reachOfEvents(after: bigint, upTo: bigint): Promise<number> {
    const events = await this.store.readAll({ after, limit: MAX_EVENTS_FOLLOWED });
    const applied = events.filter((event) => event.position <= upTo);
    if (applied.at(-1)?.position !== upTo) return Number.NEGATIVE_INFINITY;
    return applied.reduce((reach, event) => Math.min(reach, knowledgeReachOf(upcast(event))), Number.POSITIVE_INFINITY);
  }

  private read({ at, filter, limit, cursor }: KnowledgeAsOfQuery): Promise<KnowledgePageText> {
    return this.knowledge.knowledgePageText(at, filter, limit, cursor);
  }
}
