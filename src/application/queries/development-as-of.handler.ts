import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DevelopmentView } from '../../domain/knowledge/development-view';
import { TimePoint } from '../../domain/knowledge/knowledge.query';
import { NotFoundError, NotKnownError } from '../../domain/shared/domain.errors';
import { instantText } from '../../domain/shared/time';
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
    if (view) return view;
    // Recorded but first reported after asOf: say so, rather than that it does not exist.
    if (await this.knowledge.developmentRecorded(query.id, query.at.recordedAsOfMs)) throw new NotKnownError('development', query.id, instantText(query.at.asOfMs));
    throw new NotFoundError('development', query.id);
  }
}
