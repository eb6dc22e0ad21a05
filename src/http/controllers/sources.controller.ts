import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { RateSourceCommand } from '../../application/commands/rate-source.handler';
import { RegisterSourceCommand } from '../../application/commands/register-source.handler';
import { SourceClaimsQuery } from '../../application/queries/source-claims.handler';
import { SourceQuery, SourcesQuery } from '../../application/queries/sources.handler';
import { WriteResult } from '../../application/write-result';
import { CommandContext } from '../../event-store/handle-command';
import { SourceClaimsPage } from '../../projections/knowledge/knowledge.queries';
import { SourceDetailView, SourceView } from '../../projections/knowledge/sources.queries';
import { ReadClock } from '../../projections/read-clock';
import { AsOfDto, SourceClaimsQueryDto } from '../dto/query.dto';
import { RateSourceDto, RegisterSourceDto, toRating, toSourceInput } from '../dto/source.dto';
import { writeResultJson } from '../json';
import { WriteContext } from '../request-context';
import { decodeSourceClaimsCursor, encodeSourceClaimsCursor } from '../page-cursors';
import { boundMs, instantText, limitParam, positionParam, timePoint } from '../time-params';

@ApiTags('sources')
@Controller('v1/sources')
@Roles('reader', 'editor', 'auditor', 'admin')
export class SourcesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly readClock: ReadClock,
  ) {}

  @Post()
  @Roles('editor', 'admin')
  async register(@Body() dto: RegisterSourceDto, @WriteContext() context: CommandContext) {
    const result = await this.commands.execute<RegisterSourceCommand, WriteResult>(new RegisterSourceCommand(toSourceInput(dto), context));
    return writeResultJson(result);
  }

  @Post(':id/ratings')
  @Roles('editor', 'admin')
  async rate(@Param('id') id: string, @Body() dto: RateSourceDto, @WriteContext() context: CommandContext) {
    const result = await this.commands.execute<RateSourceCommand, WriteResult>(new RateSourceCommand(toRating(id, dto), context));
    return writeResultJson(result);
  }

  @Get()
  async list(@Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    const items = await this.queries.execute<SourcesQuery, SourceView[]>(new SourcesQuery(at, positionParam(query.minPosition, 'minPosition')));
    return { asOf: instantText(at.asOfMs), recordedAsOf: instantText(at.recordedAsOfMs), items };
  }

  @Get(':id')
  get(@Param('id') id: string, @Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    return this.queries.execute<SourceQuery, SourceDetailView>(new SourceQuery(id, at, positionParam(query.minPosition, 'minPosition')));
  }

  /** Everything the source said, across developments, as known at (asOf, recordedAsOf), by reportedAt. */
  @Get(':id/claims')
  async claims(@Param('id') id: string, @Query() query: SourceClaimsQueryDto) {
    const now = this.readClock.now();
    const cursor = query.cursor === undefined ? undefined : decodeSourceClaimsCursor(query.cursor);
    const at = { asOfMs: boundMs(query.asOf, now), recordedAsOfMs: boundMs(query.recordedAsOf, cursor?.recordedAsOfMs ?? now) };
    const page = await this.queries.execute<SourceClaimsQuery, SourceClaimsPage>(
      new SourceClaimsQuery(id, at, limitParam(query.limit, 100, 500), cursor, positionParam(query.minPosition, 'minPosition')),
    );
    return {
      asOf: instantText(at.asOfMs),
      recordedAsOf: instantText(at.recordedAsOfMs),
      items: page.items,
      nextCursor: page.next ? encodeSourceClaimsCursor({ ...page.next, recordedAsOfMs: at.recordedAsOfMs }) : null,
    };
  }
}
