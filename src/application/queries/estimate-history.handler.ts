import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EstimateChange } from '../../domain/knowledge/estimate-history';
import { NotFoundError } from '../../domain/shared/domain.errors';
import { KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';

export class EstimateHistoryQuery {
  constructor(
    readonly id: string,
    readonly window: Readonly<{ fromMs: number; toMs: number; recordedAsOfMs: number; measure?: string; unit?: string }>,
    readonly minPosition: bigint | undefined,
  ) {}
}

@QueryHandler(EstimateHistoryQuery)
export class EstimateHistoryHandler implements IQueryHandler<EstimateHistoryQuery, EstimateChange[]> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: EstimateHistoryQuery): Promise<EstimateChange[]> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    const items = await this.knowledge.estimateHistory(query.id, query.window);
    if (!items) throw new NotFoundError('development', query.id);
    return items;
  }
}
