import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { DEVELOPMENT_STATUSES, DevelopmentStatus } from '../../domain/knowledge/status.rules';
import { IsSearchQuery, IsSlug, IsTime, IsTopicList, Optional } from './validators';

const POSITION = /^\d{1,19}$/;
const OCCURRED_MATCHES = ['possibly', 'certainly'] as const;
const positionMessage = { message: '$property must be a non-negative integer' };

export class MinPositionDto {
  @ApiPropertyOptional({ description: 'wait (bounded) until projections have applied this log position' })
  @Optional()
  @Matches(POSITION, positionMessage)
  minPosition?: string;
}

/** A point on both time axes. */
export class TimePointDto {
  @ApiPropertyOptional({ description: 'knowledge time; a date means the end of that day, UTC. Default: now' })
  @Optional()
  @IsTime()
  asOf?: string;

  @ApiPropertyOptional({ description: 'transaction time; a date means the end of that day, UTC. Default: now' })
  @Optional()
  @IsTime()
  recordedAsOf?: string;
}

export class AsOfDto extends TimePointDto {
  @ApiPropertyOptional({ description: 'wait (bounded) until projections have applied this log position' })
  @Optional()
  @Matches(POSITION, positionMessage)
  minPosition?: string;
}

const TOPIC_FILTER = 'topics, comma-separated (any of them; at most 20), matched ignoring case';

/** A page of a list: its size and where the previous page ended. */
export class PageDto extends AsOfDto {
  @ApiPropertyOptional({ description: '1 to 500, default 100' })
  @Optional()
  @Matches(/^([1-9]\d{0,2})$/, { message: 'limit must be an integer from 1 to 500' })
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @Optional()
  @IsString()
  @Length(1, 500)
  cursor?: string;
}

export class KnowledgeQueryDto extends PageDto {
  @ApiPropertyOptional({ description: TOPIC_FILTER, example: 'troops,Ukraine' })
  @Optional()
  @IsTopicList()
  topic?: string;

  @ApiPropertyOptional({ description: 'developments with an active claim (known and not retracted as of asOf) by this source' })
  @Optional()
  @IsSlug()
  sourceId?: string;

  @ApiPropertyOptional({ enum: DEVELOPMENT_STATUSES })
  @Optional()
  @IsIn(DEVELOPMENT_STATUSES)
  status?: DevelopmentStatus;

  @ApiPropertyOptional({ description: 'developments whose occurred interval reaches this time or later' })
  @Optional()
  @IsTime()
  occurredFrom?: string;

  @ApiPropertyOptional({ description: 'developments whose occurred interval starts by this time' })
  @Optional()
  @IsTime()
  occurredTo?: string;

  @ApiPropertyOptional({
    enum: OCCURRED_MATCHES,
    description: 'possibly (default): the occurred interval overlaps [occurredFrom, occurredTo]; certainly: it lies wholly inside it',
  })
  @Optional()
  @IsIn(OCCURRED_MATCHES)
  occurredMatch?: (typeof OCCURRED_MATCHES)[number];

  @ApiPropertyOptional({
    description:
      'search terms: developments holding every term (whole, ignoring case and accents) in their title or summary as known at asOf or in a quote of their active claims; 1 to 10 terms of at most 100 characters, in at most 500 characters',
    example: 'Kursk troops',
  })
  @Optional()
  @IsSearchQuery()
  q?: string;
}

/** `/v1/sources/:id/claims`: a page of everything the source said, as known at (asOf, recordedAsOf). */
export class SourceClaimsQueryDto extends PageDto {}

/** A window of knowledge time (from, to], as recorded by recordedAsOf. */
export class KnowledgeWindowDto extends MinPositionDto {
  @ApiPropertyOptional({ description: 'exclusive lower bound in knowledge time (a date: end of that day). Default: the beginning' })
  @Optional()
  @IsTime()
  from?: string;

  @ApiPropertyOptional({ description: 'inclusive upper bound in knowledge time (a date: end of that day). Default: now' })
  @Optional()
  @IsTime()
  to?: string;

  @ApiPropertyOptional({ description: 'transaction time; a date means the end of that day, UTC. Default: now' })
  @Optional()
  @IsTime()
  recordedAsOf?: string;
}

export class ChangesQueryDto extends KnowledgeWindowDto {
  @ApiPropertyOptional({ description: TOPIC_FILTER })
  @Optional()
  @IsTopicList()
  topic?: string;
}

/** `/v1/developments/:id/estimates`: how the estimates moved in the window. */
export class EstimatesQueryDto extends KnowledgeWindowDto {
  @ApiPropertyOptional({ example: 'deployed' })
  @Optional()
  @IsString()
  @Length(1, 120)
  measure?: string;

  @ApiPropertyOptional({ example: 'troops' })
  @Optional()
  @IsString()
  @Length(1, 100)
  unit?: string;
}

export class EventsQueryDto {
  @ApiPropertyOptional({ description: 'only events with position > after' })
  @Optional()
  @Matches(POSITION, positionMessage)
  after?: string;

  @ApiPropertyOptional({ description: '1 to 1000, default 100' })
  @Optional()
  @Matches(/^([1-9]\d{0,3})$/, { message: 'limit must be an integer from 1 to 1000' })
  limit?: string;

  @ApiPropertyOptional({ description: 'comma-separated event types' })
  @Optional()
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: 'types must be comma-separated event type names' })
  types?: string;

  @ApiPropertyOptional({ description: 'only streams whose id starts with this, e.g. development-' })
  @Optional()
  @IsString()
  @Length(1, 200)
  streamPrefix?: string;
}

/** `/v1/events/live`: the filters of `/v1/events`, without a page size. */
export class LiveEventsQueryDto extends OmitType(EventsQueryDto, ['limit'] as const) {}
