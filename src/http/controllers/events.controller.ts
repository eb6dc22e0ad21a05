import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { EventsQuery } from '../../application/queries/log.handler';
import { StoredEvent } from '../../event-store/event-store.port';
import { storedEventJson } from '../../event-store/stored-event-json';
import { EventsQueryDto } from '../dto/query.dto';
import { limitParam, positionParam } from '../time-params';
import { EventsPageSchema } from '../openapi/log.schemas';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';

/**
 * A page holds at most `limit` events and about this many bytes of them (the first event whatever its
 * size), so a reader cannot make the server build a response of `limit` of the largest events.
 */
export const EVENTS_PAGE_MAX_BYTES = 8 * 1024 * 1024;

@ApiTags('events')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
@Controller('v1/events')
@Roles('reader', 'editor', 'auditor', 'admin')
export class EventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOkResponse({ type: EventsPageSchema, description: 'at most `limit` events after `after` (and about 8 MiB of them), in log order' })
  async events(@Query() query: EventsQueryDto) {
    const after = positionParam(query.after, 'after') ?? 0n;
    const events = await this.queries.execute<EventsQuery, StoredEvent[]>(
      new EventsQuery({
        after,
        limit: limitParam(query.limit, 100, 1000),
        maxBytes: EVENTS_PAGE_MAX_BYTES,
        types: query.types?.split(','),
        streamPrefix: query.streamPrefix,
      }),
    );
    return { items: events.map(storedEventJson), last: Number(events.at(-1)?.position ?? after) };
  }
}
