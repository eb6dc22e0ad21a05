import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { KnowledgeCursor, KnowledgeQueries, ReadModelPoint } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';
import { KnowledgePageText, KnowledgePagesCache, ownBytes } from './knowledge-pages.cache';

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

/** The state of the read model a page is kept for: its checkpoint's generation and position. */
const stateOf = (point: ReadModelPoint): string => `${point.generation ?? ''}@${point.position}`;

/** `/v1/knowledge`'s page, its items as JSON: kept in {@link KnowledgePagesCache} when `asOf` was given. */
@QueryHandler(KnowledgeAsOfQuery)
export class KnowledgeAsOfHandler implements IQueryHandler<KnowledgeAsOfQuery, KnowledgePageText> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
    @Inject(KNOWLEDGE_PAGES_CACHE) private readonly cache: KnowledgePagesCache,
  ) {}

  async execute(query: KnowledgeAsOfQuery): Promise<KnowledgePageText> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    if (!query.fixedAsOf || !this.cache.enabled) return this.read(query);
    const before = await this.knowledge.readModelPoint();
    const key = pageKey(query, before);
    const cached = this.cache.get(key, stateOf(before));
    if (cached) return cached;
    const page = await this.read(query);
    // Kept only if nothing was applied while it was read: its rows are then those of `before`.
    if (stateOf(await this.knowledge.readModelPoint()) === stateOf(before)) this.cache.set(key, stateOf(before), page);
    return page;
  }

  private async read({ at, filter, limit, cursor }: KnowledgeAsOfQuery): Promise<KnowledgePageText> {
    const page = await this.knowledge.knowledgeAsOf(at, filter, limit, cursor);
    return { items: ownBytes(JSON.stringify(page.items)), next: page.next };
  }
}
