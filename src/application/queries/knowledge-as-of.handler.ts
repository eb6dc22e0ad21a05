import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { KnowledgeCursor, KnowledgePage, KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';

export class KnowledgeAsOfQuery {
  constructor(
    readonly at: TimePoint,
    readonly filter: KnowledgeFilter,
    readonly limit: number,
    readonly cursor: KnowledgeCursor | undefined,
    readonly minPosition: bigint | undefined,
  ) {}
}

@QueryHandler(KnowledgeAsOfQuery)
export class KnowledgeAsOfHandler implements IQueryHandler<KnowledgeAsOfQuery, KnowledgePage> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: KnowledgeAsOfQuery): Promise<KnowledgePage> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    return this.knowledge.knowledgeAsOf(query.at, query.filter, query.limit, query.cursor);
  }
}
