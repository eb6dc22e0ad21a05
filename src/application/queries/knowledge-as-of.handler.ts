import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { KnowledgeCursor, KnowledgeQueries, ReadModelPoint } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';
import { KnowledgePageCache, KnowledgePageText } from './knowledge-page-cache';

export const KNOWLEDGE_PAGE_CACHE = Symbol('KnowledgePageCache');

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

/**
 * What the page depends on besides the read model. Any `recordedAsOf` at or after the latest
 * transaction time applied reads the same rows (every version starts and ends at such a time, or
 * never ends), so those share one key: "latest".
 */
function pageKey({ at, filter, limit, cursor }: KnowledgeAsOfQuery, point: ReadModelPoint): string {
  const recorded = at.recordedAsOfMs >= point.recordedAtMs ? 'latest' : at.recordedAsOfMs;
  const { topics, sourceId, status, occurredFromMs, occurredToMs, occurredMatch, searchTerms } = filter;
  return JSON.stringify([at.asOfMs, recorded, topics, sourceId, status, occurredFromMs, occurredToMs, occurredMatch, searchTerms, limit, cursor?.sortKey, cursor?.id]);
}

/** `/v1/knowledge`'s page, its items as JSON: kept in {@link KnowledgePageCache} when `asOf` was given. */
@QueryHandler(KnowledgeAsOfQuery)
export class KnowledgeAsOfHandler implements IQueryHandler<KnowledgeAsOfQuery, KnowledgePageText> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
    @Inject(KNOWLEDGE_PAGE_CACHE) private readonly cache: KnowledgePageCache,
  ) {}

  async execute(query: KnowledgeAsOfQuery): Promise<KnowledgePageText> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    if (!query.fixedAsOf || !this.cache.enabled) return this.read(query);
    const before = await this.knowledge.readModelPoint();
    const key = pageKey(query, before);
    const cached = this.cache.get(key, before.position);
    if (cached) return cached;
    const page = await this.read(query);
    // Kept only if nothing was applied while it was read: its rows are then those of `before`.
    const after = await this.knowledge.readModelPoint();
    if (after.position === before.position) this.cache.set(key, before.position, page);
    return page;
  }

  private async read({ at, filter, limit, cursor }: KnowledgeAsOfQuery): Promise<KnowledgePageText> {
    const page = await this.knowledge.knowledgeAsOf(at, filter, limit, cursor);
    return { items: Buffer.from(JSON.stringify(page.items)), next: page.next };
  }
}
