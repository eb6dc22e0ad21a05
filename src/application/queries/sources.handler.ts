import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TimePoint } from '../../domain/knowledge/knowledge.query';
import { NotFoundError } from '../../domain/shared/domain.errors';
import { KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';
import { SourceDetailView, SourceView } from '../../projections/knowledge/sources.queries';
import { ProjectionGate } from '../../projections/projection-gate';

export class SourcesQuery {
  constructor(
    readonly at: TimePoint,
    readonly minPosition: bigint | undefined,
  ) {}
}

export class SourceQuery {
  constructor(
    readonly id: string,
    readonly at: TimePoint,
    readonly minPosition: bigint | undefined,
  ) {}
}

@QueryHandler(SourcesQuery)
export class SourcesHandler implements IQueryHandler<SourcesQuery, SourceView[]> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: SourcesQuery): Promise<SourceView[]> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    return this.knowledge.sources(query.at);
  }
}

@QueryHandler(SourceQuery)
export class SourceHandler implements IQueryHandler<SourceQuery, SourceDetailView> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: SourceQuery): Promise<SourceDetailView> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    const source = await this.knowledge.source(query.id, query.at);
    if (!source) throw new NotFoundError('source', query.id);
    return source;
  }
}
