import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DevelopmentView } from '../../domain/knowledge/development-view';
import { TimePoint } from '../../domain/knowledge/knowledge.query';
import { NotFoundError } from '../../domain/shared/domain.errors';
import { KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';

export class DevelopmentAsOfQuery {
  constructor(
    readonly id: string,
    readonly at: TimePoint,
    readonly minPosition: bigint | undefined,
  ) {}
}

@QueryHandler(DevelopmentAsOfQuery)
export class DevelopmentAsOfHandler implements IQueryHandler<DevelopmentAsOfQuery, DevelopmentView> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: DevelopmentAsOfQuery): Promise<DevelopmentView> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    const view = await this.knowledge.developmentAsOf(query.id, query.at);
    if (!view) throw new NotFoundError('development', query.id);
    return view;
  }
}
