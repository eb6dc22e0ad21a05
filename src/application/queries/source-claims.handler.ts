import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TimePoint } from '../../domain/knowledge/knowledge.query';
import { NotFoundError } from '../../domain/shared/domain.errors';
import { KnowledgeQueries, SourceClaimsCursor, SourceClaimsPage } from '../../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../projections/projection-gate';

export class SourceClaimsQuery {
  constructor(
    readonly sourceId: string,
    readonly at: TimePoint,
    readonly limit: number,
    readonly cursor: SourceClaimsCursor | undefined,
    readonly minPosition: bigint | undefined,
  ) {}
}

@QueryHandler(SourceClaimsQuery)
export class SourceClaimsHandler implements IQueryHandler<SourceClaimsQuery, SourceClaimsPage> {
  constructor(
    private readonly knowledge: KnowledgeQueries,
    private readonly projections: ProjectionGate,
  ) {}

  async execute(query: SourceClaimsQuery): Promise<SourceClaimsPage> {
    if (query.minPosition !== undefined) await this.projections.reached(query.minPosition);
    const page = await this.knowledge.sourceClaims(query.sourceId, query.at, query.limit, query.cursor);
    if (!page) throw new NotFoundError('source', query.sourceId);
    return page;
  }
}
