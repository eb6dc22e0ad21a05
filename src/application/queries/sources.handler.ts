import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '../../domain/shared/domain.errors';
import { KnowledgeQueries, SourceView } from '../../projections/knowledge/knowledge.queries';

export class SourcesQuery {}

export class SourceQuery {
  constructor(readonly id: string) {}
}

@QueryHandler(SourcesQuery)
export class SourcesHandler implements IQueryHandler<SourcesQuery, SourceView[]> {
  constructor(private readonly knowledge: KnowledgeQueries) {}

  execute(): Promise<SourceView[]> {
    return this.knowledge.sources();
  }
}

@QueryHandler(SourceQuery)
export class SourceHandler implements IQueryHandler<SourceQuery, SourceView> {
  constructor(private readonly knowledge: KnowledgeQueries) {}

  async execute({ id }: SourceQuery): Promise<SourceView> {
    const source = await this.knowledge.source(id);
    if (!source) throw new NotFoundError('source', id);
    return source;
  }
}
