import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
import { ApiWrite } from '../openapi/api-write.decorator';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';
import { REGISTER_SOURCE_EXAMPLES } from '../openapi/request-examples';
import { SourceClaimsPageSchema, SourceDetailSchema, SourcesSchema } from '../openapi/source.schemas';

@ApiTags('sources')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
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
  @ApiWrite({ body: RegisterSourceDto, examples: REGISTER_SOURCE_EXAMPLES, conflict: 'a source with this id exists' })
  async register(@Body() dto: RegisterSourceDto, @WriteContext() context: CommandContext) {
    const result = await this.commands.execute<RegisterSourceCommand, WriteResult>(new RegisterSourceCommand(toSourceInput(dto), context));
    return writeResultJson(result);
  }

  @Post(':id/ratings')
  @Roles('editor', 'admin')
  @ApiWrite({ body: RateSourceDto, notFound: 'no such source', conflict: 'a concurrent write to the source won' })
  async rate(@Param('id') id: string, @Body() dto: RateSourceDto, @WriteContext() context: CommandContext) {
    const result = await this.commands.execute<RateSourceCommand, WriteResult>(new RateSourceCommand(toRating(id, dto), context));
    return writeResultJson(result);
  }

  @Get()
  @ApiOkResponse({ type: SourcesSchema, description: 'the sources recorded by recordedAsOf, each with its reliability as of asOf' })
  @ApiProblems([503], { 503: 'the read model has not reached `minPosition` yet; `Retry-After`' })
  async list(@Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    const items = await this.queries.execute<SourcesQuery, SourceView[]>(new SourcesQuery(at, positionParam(query.minPosition, 'minPosition')));
    return { asOf: instantText(at.asOfMs), recordedAsOf: instantText(at.recordedAsOfMs), items };
  }

  @Get(':id')
  @ApiOkResponse({ type: SourceDetailSchema })
  @ApiProblems([404, 503], { 404: 'no such source (by recordedAsOf)', 503: 'the read model has not reached `minPosition` yet; `Retry-After`' })
  get(@Param('id') id: string, @Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    return this.queries.execute<SourceQuery, SourceDetailView>(new SourceQuery(id, at, positionParam(query.minPosition, 'minPosition')));
  }

  /** Everything the source said, across developments, as known at (asOf, recordedAsOf), by reportedAt. */
  @Get(':id/claims')
  @ApiOkResponse({ type: SourceClaimsPageSchema })
  @ApiProblems([404, 503], { 404: 'no such source (by recordedAsOf)', 503: 'the read model has not reached `minPosition` yet; `Retry-After`' })
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
