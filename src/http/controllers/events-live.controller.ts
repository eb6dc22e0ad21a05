import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/roles.decorator';
import { LiveEventsQueryDto } from '../dto/query.dto';
import { RequestValidationError } from '../problem';
import { TimelineRequest } from '../request-context';
import { LiveEventStreams } from '../sse/live-event-streams';
import { SSE_HEADERS } from '../sse/sse-messages';
import { positionParam } from '../time-params';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';

const POSITION = /^\d{1,19}$/;

/**
 * Where a stream starts: after `Last-Event-ID` when the client sends one, since a reconnecting
 * EventSource repeats its original URL (and so its `after`) and adds the header; else after `after`.
 */
export function resumeAfter(query: LiveEventsQueryDto, lastEventId: string | string[] | undefined): bigint {
  if (lastEventId === undefined || lastEventId === '') return positionParam(query.after, 'after') ?? 0n;
  const value = Array.isArray(lastEventId) ? lastEventId.join(',') : lastEventId.trim();
  if (!POSITION.test(value)) {
    throw new RequestValidationError('Last-Event-ID must be the non-negative integer position of an event', [
      { field: 'Last-Event-ID', message: 'must be a non-negative integer position' },
    ]);
  }
  return positionParam(value, 'Last-Event-ID')!;
}

@ApiTags('events')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
@Controller('v1/events')
@Roles('reader', 'editor', 'auditor', 'admin')
export class EventsLiveController {
  constructor(private readonly streams: LiveEventStreams) {}

  @Get('live')
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this position; wins over `after`' })
  @ApiOkResponse({
    description: 'Server-Sent Events: `id: <position>`, `event: <type>`, `data: <StoredEvent>`; `: keep-alive` comments while idle',
    content: { 'text/event-stream': { schema: { type: 'string' }, example: 'id: 42\nevent: ClaimReported\ndata: {"position":42,...}\n\n' } },
  })
  @ApiProblems([429, 503], {
    429: 'too many requests, or this API key (or address, without keys) has `TIMELINE_SSE_MAX_STREAMS_PER_CLIENT` streams open; `Retry-After`',
    503: 'the server has `TIMELINE_SSE_MAX_STREAMS` streams open; `Retry-After`',
  })
  live(@Query() query: LiveEventsQueryDto, @Req() request: TimelineRequest, @Res() reply: FastifyReply): void {
    const after = resumeAfter(query, request.headers['last-event-id']);
    // A HEAD gets the headers only: a stream whose body Node drops would never send them, nor end.
    if (request.method === 'HEAD') return void reply.headers(SSE_HEADERS).send();
    this.streams.serve(request, reply, {
      after,
      types: query.types?.split(','),
      streamPrefix: query.streamPrefix,
    });
  }
}
