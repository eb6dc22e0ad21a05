import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { QueryBus } from '@nestjs/cqrs';
import { ReadClock } from '../../projections/read-clock';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { KnowledgeAsOfQuery } from '../../application/queries/knowledge-as-of.handler';
import { KnowledgeChangesQuery } from '../../application/queries/knowledge-changes.handler';
import { KnowledgeFilter } from '../../domain/knowledge/knowledge.query';
import { KnowledgeChange } from '../../projections/knowledge/knowledge-changes.queries';
import { KnowledgePageText } from '../../projections/knowledge/knowledge.queries';
import { ChangesQueryDto, KnowledgeQueryDto } from '../dto/query.dto';
import { RequestValidationError } from '../problem';
import { decodeKnowledgeCursor, encodeKnowledgeCursor } from '../page-cursors';
import { knowledgePageJson } from '../json';
import { boundMs, instantText, limitParam, positionParam, searchParam, startMs, topicsParam } from '../time-params';
import { KnowledgeChangesSchema, KnowledgePageSchema } from '../openapi/knowledge.schemas';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';

@ApiTags('knowledge')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
@Controller('v1/knowledge')
@Roles('reader', 'editor', 'auditor', 'admin')
export class KnowledgeController {
  constructor(
    private readonly queries: QueryBus,
    private readonly readClock: ReadClock,
  ) {}

  @Get()
  @ApiOkResponse({ type: KnowledgePageSchema, description: 'developments known at (asOf, recordedAsOf), in occurred order' })
  @ApiProblems([503], { 503: 'the read model has not reached `minPosition` yet; `Retry-After`' })
  async knowledge(@Query() query: KnowledgeQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const now = this.readClock.now();
    const cursor = query.cursor === undefined ? undefined : decodeKnowledgeCursor(query.cursor);
    const recordedAsOfMs = boundMs(query.recordedAsOf, cursor?.recordedAsOfMs ?? now);
    const asOfMs = boundMs(query.asOf, now);
    const filter: KnowledgeFilter = {
      topics: topicsParam(query.topic),
      sourceId: query.sourceId,
      status: query.status,
      occurredFromMs: query.occurredFrom === undefined ? undefined : startMs(query.occurredFrom),
      occurredToMs: query.occurredTo === undefined ? undefined : boundMs(query.occurredTo, 0),
      occurredMatch: query.occurredMatch,
      searchTerms: searchParam(query.q),
    };
    if (filter.occurredFromMs !== undefined && filter.occurredToMs !== undefined && filter.occurredToMs < filter.occurredFromMs) {
      throw new RequestValidationError('occurredTo is before occurredFrom', [{ field: 'occurredTo', message: 'must not be before occurredFrom' }]);
    }
    const limit = limitParam(query.limit, 100, 500);
    const page = await this.queries.execute<KnowledgeAsOfQuery, KnowledgePageText>(
      new KnowledgeAsOfQuery({ asOfMs, recordedAsOfMs }, filter, limit, cursor, positionParam(query.minPosition, 'minPosition'), query.asOf !== undefined),
    );
    const nextCursor = page.next ? encodeKnowledgeCursor({ ...page.next, recordedAsOfMs }) : null;
    reply.type('application/json; charset=utf-8');
    return knowledgePageJson(instantText(asOfMs), instantText(recordedAsOfMs), page, nextCursor);
  }

  @Get('changes')
  @ApiOkResponse({ type: KnowledgeChangesSchema, description: 'what became known in knowledge time (from, to]' })
  @ApiProblems([503], { 503: 'the read model has not reached `minPosition` yet; `Retry-After`' })
  async changes(@Query() query: ChangesQueryDto) {
    const now = this.readClock.now();
    const fromMs = boundMs(query.from, Number.MIN_SAFE_INTEGER);
    const toMs = boundMs(query.to, now);
    const recordedAsOfMs = boundMs(query.recordedAsOf, now);
    if (toMs < fromMs) throw new RequestValidationError('to is before from', [{ field: 'to', message: 'must not be before from' }]);
    const items = await this.queries.execute<KnowledgeChangesQuery, KnowledgeChange[]>(
      new KnowledgeChangesQuery(fromMs, toMs, recordedAsOfMs, topicsParam(query.topic), positionParam(query.minPosition, 'minPosition')),
    );
    return {
      from: query.from === undefined ? null : instantText(fromMs),
      to: instantText(toMs),
      recordedAsOf: instantText(recordedAsOfMs),
      items,
    };
  }
}
