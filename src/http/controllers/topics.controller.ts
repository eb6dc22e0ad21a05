import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TopicsQuery } from '../../application/queries/topics.handler';
import { TopicCount } from '../../domain/knowledge/topics';
import { ReadClock } from '../../projections/read-clock';
import { Roles } from '../auth/roles.decorator';
import { AsOfDto } from '../dto/query.dto';
import { instantText, positionParam, timePoint } from '../time-params';
import { TopicsSchema } from '../openapi/knowledge.schemas';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';

@ApiTags('knowledge')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
@Controller('v1/topics')
@Roles('reader', 'editor', 'auditor', 'admin')
export class TopicsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly readClock: ReadClock,
  ) {}

  /** Topics of the developments known as of both axes (their descriptions then), with counts. */
  @Get()
  @ApiOkResponse({ type: TopicsSchema })
  @ApiProblems([503], { 503: 'the read model has not reached `minPosition` yet; `Retry-After`' })
  async list(@Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    const items = await this.queries.execute<TopicsQuery, TopicCount[]>(new TopicsQuery(at, positionParam(query.minPosition, 'minPosition')));
    return { asOf: instantText(at.asOfMs), recordedAsOf: instantText(at.recordedAsOfMs), items };
  }
}
