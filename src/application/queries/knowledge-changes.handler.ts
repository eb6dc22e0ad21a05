import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { KnowledgeChange } from '../../projections/knowledge/knowledge-changes.queries';
import { KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';

export class KnowledgeChangesQuery {
  constructor(
    readonly fromMs: number,
    readonly toMs: number,
    readonly recordedAsOfMs: number,
    readonly topics: readonly string[] | undefined,
    readonly minPosition: bigint | undefined,
  ) {}
}

@QueryHandler(KnowledgeChangesQuery)
export class KnowledgeChangesHandler implements IQueryHandler<KnowledgeChangesQuery, KnowledgeChange[]> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: KnowledgeChangesQuery): Promise<KnowledgeChange[]> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    return this.knowledge.changes(query.fromMs, query.toMs, query.recordedAsOfMs, query.topics);
  }
}
