import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TimePoint } from '../../domain/knowledge/knowledge.query';
import { TopicCount } from '../../domain/knowledge/topics';
import { KnowledgeQueries } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';

export class TopicsQuery {
  constructor(
    readonly at: TimePoint,
    readonly minPosition: bigint | undefined,
  ) {}
}

@QueryHandler(TopicsQuery)
export class TopicsHandler implements IQueryHandler<TopicsQuery, TopicCount[]> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: TopicsQuery): Promise<TopicCount[]> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    return this.knowledge.topics(query.at);
  }
}
