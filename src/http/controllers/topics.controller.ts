import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { TopicsQuery } from '../../application/queries/topics.handler';
import { TopicCount } from '../../domain/knowledge/topics';
import { ReadClock } from '../../projections/read-clock';
import { Roles } from '../auth/roles.decorator';
import { AsOfDto } from '../dto/query.dto';
import { instantText, positionParam, timePoint } from '../time-params';

@ApiTags('knowledge')
@Controller('v1/topics')
@Roles('reader', 'editor', 'auditor', 'admin')
export class TopicsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly readClock: ReadClock,
  ) {}

  /** Topics of the developments known as of both axes (their descriptions then), with counts. */
  @Get()
  async list(@Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    const items = await this.queries.execute<TopicsQuery, TopicCount[]>(new TopicsQuery(at, positionParam(query.minPosition, 'minPosition')));
    return { asOf: instantText(at.asOfMs), recordedAsOf: instantText(at.recordedAsOfMs), items };
  }
}
