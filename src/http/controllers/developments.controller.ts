import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ReadClock } from '../../projections/read-clock';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { CorrectClaimCommand } from '../../application/commands/correct-claim.handler';
import { CorrectDevelopmentCommand } from '../../application/commands/correct-development.handler';
import { RecordDevelopmentCommand } from '../../application/commands/record-development.handler';
import { ReportClaimCommand } from '../../application/commands/report-claim.handler';
import { RetractClaimCommand } from '../../application/commands/retract-claim.handler';
import { ReviseDevelopmentCommand } from '../../application/commands/revise-development.handler';
import { DevelopmentAsOfQuery } from '../../application/queries/development-as-of.handler';
import { EstimateHistoryQuery } from '../../application/queries/estimate-history.handler';
import { EstimateChange } from '../../domain/knowledge/estimate-history';
import { DevelopmentHistoryQuery } from '../../application/queries/log.handler';
import { WriteResult } from '../../application/write-result';
import { DevelopmentView } from '../../domain/knowledge/development-view';
import { CommandContext } from '../../event-store/handle-command';
import { StoredEvent } from '../../event-store/event-store.port';
import { storedEventJson } from '../../event-store/stored-event-json';
import { ClaimInputDto, toClaimChanges, toClaimFields } from '../dto/claim.dto';
import {
  CorrectClaimDto,
  CorrectDevelopmentDto,
  RecordDevelopmentDto,
  RetractionDto,
  ReviseDevelopmentDto,
  toDevelopmentChanges,
  toDevelopmentFields,
} from '../dto/development.dto';
import { AsOfDto, EstimatesQueryDto } from '../dto/query.dto';
import { RequestValidationError } from '../problem';
import { defined } from '../dto/validators';
import { writeResultJson } from '../json';
import { WriteContext } from '../request-context';
import { boundMs, positionParam, timePoint } from '../time-params';
import { ApiWrite } from '../openapi/api-write.decorator';
import { DevelopmentHistorySchema } from '../openapi/log.schemas';
import { DevelopmentViewSchema, EstimateHistorySchema } from '../openapi/knowledge.schemas';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';
import { RECORD_DEVELOPMENT_EXAMPLES, REPORT_CLAIM_EXAMPLES } from '../openapi/request-examples';

@ApiTags('developments')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
@Controller('v1/developments')
@Roles('reader', 'editor', 'auditor', 'admin')
export class DevelopmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly readClock: ReadClock,
  ) {}

  private async write(command: object): Promise<ReturnType<typeof writeResultJson>> {
    return writeResultJson(await this.commands.execute<object, WriteResult>(command));
  }

  @Post()
  @Roles('editor', 'admin')
  @ApiWrite({ body: RecordDevelopmentDto, examples: RECORD_DEVELOPMENT_EXAMPLES, conflict: 'a development with this id exists' })
  record(@Body() dto: RecordDevelopmentDto, @WriteContext() context: CommandContext) {
    const input = { id: dto.id, fields: toDevelopmentFields(dto), claim: toClaimFields(dto.claim) };
    return this.write(new RecordDevelopmentCommand(input, context));
  }

  @Post(':id/claims')
  @Roles('editor', 'admin')
  @ApiWrite({ body: ClaimInputDto, examples: REPORT_CLAIM_EXAMPLES, notFound: 'no such development', conflict: 'a concurrent write to the development won' })
  reportClaim(@Param('id') id: string, @Body() dto: ClaimInputDto, @WriteContext() context: CommandContext) {
    return this.write(new ReportClaimCommand({ developmentId: id, claim: toClaimFields(dto) }, context));
  }

  @Post(':id/claims/:claimId/retraction')
  @Roles('editor', 'admin')
  @ApiWrite({ body: RetractionDto, notFound: 'no such development or claim', conflict: 'the claim is retracted already' })
  retract(
    @Param('id') id: string,
    @Param('claimId') claimId: string,
    @Body() dto: RetractionDto,
    @WriteContext() context: CommandContext,
  ) {
    const input = { developmentId: id, claimId, reportedAt: dto.reportedAt, reason: dto.reason };
    return this.write(new RetractClaimCommand(input, context));
  }

  @Post(':id/corrections')
  @Roles('editor', 'admin')
  @ApiWrite({ body: CorrectDevelopmentDto, notFound: 'no such development or revision', conflict: 'a concurrent write to the development won' })
  correct(@Param('id') id: string, @Body() dto: CorrectDevelopmentDto, @WriteContext() context: CommandContext) {
    const input = { developmentId: id, revisionId: dto.revisionId, changes: toDevelopmentChanges(dto.changes), reason: dto.reason };
    return this.write(new CorrectDevelopmentCommand(defined(input), context));
  }

  @Post(':id/revisions')
  @Roles('editor', 'admin')
  @ApiWrite({ body: ReviseDevelopmentDto, notFound: 'no such development, or no such basisClaimId', conflict: 'a concurrent write to the development won' })
  revise(@Param('id') id: string, @Body() dto: ReviseDevelopmentDto, @WriteContext() context: CommandContext) {
    const input = { developmentId: id, changes: toDevelopmentChanges(dto.changes), reportedAt: dto.reportedAt, basisClaimId: dto.basisClaimId, reason: dto.reason };
    return this.write(new ReviseDevelopmentCommand(defined(input), context));
  }

  @Post(':id/claims/:claimId/corrections')
  @Roles('editor', 'admin')
  @ApiWrite({ body: CorrectClaimDto, notFound: 'no such development or claim', conflict: 'a concurrent write to the development won' })
  correctClaim(
    @Param('id') id: string,
    @Param('claimId') claimId: string,
    @Body() dto: CorrectClaimDto,
    @WriteContext() context: CommandContext,
  ) {
    const input = { developmentId: id, claimId, changes: toClaimChanges(dto.changes), reason: dto.reason };
    return this.write(new CorrectClaimCommand(input, context));
  }

  @Get(':id')
  @ApiOkResponse({ type: DevelopmentViewSchema, description: 'the development as known at (asOf, recordedAsOf)' })
  @ApiProblems([404, 503], { 404: 'no such development (`not-found`), or not known as of asOf (`not-known`)', 503: 'the read model has not reached `minPosition` yet, or the store is busy; `Retry-After`' })
  get(@Param('id') id: string, @Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    return this.queries.execute<DevelopmentAsOfQuery, DevelopmentView>(
      new DevelopmentAsOfQuery(id, at, positionParam(query.minPosition, 'minPosition')),
    );
  }

  @Get(':id/estimates')
  @ApiOkResponse({ type: EstimateHistorySchema, description: 'how its estimates moved over knowledge time (from, to], as recorded by recordedAsOf' })
  @ApiProblems([404, 503], { 404: 'no such development', 503: 'the read model has not reached `minPosition` yet, or the store is busy; `Retry-After`' })
  async estimates(@Param('id') id: string, @Query() query: EstimatesQueryDto) {
    const now = this.readClock.now();
    const window = {
      fromMs: boundMs(query.from, Number.MIN_SAFE_INTEGER),
      toMs: boundMs(query.to, now),
      recordedAsOfMs: boundMs(query.recordedAsOf, now),
      measure: query.measure,
      unit: query.unit,
    };
    if (window.toMs < window.fromMs) throw new RequestValidationError('to is before from', [{ field: 'to', message: 'must not be before from' }]);
    const items = await this.queries.execute<EstimateHistoryQuery, EstimateChange[]>(
      new EstimateHistoryQuery(id, window, positionParam(query.minPosition, 'minPosition')),
    );
    return { items };
  }

  @Get(':id/history')
  @ApiOkResponse({ type: DevelopmentHistorySchema, description: "the development's stream, every event in order" })
  @ApiProblems([404], { 404: 'no such development' })
  async history(@Param('id') id: string) {
    const events = await this.queries.execute<DevelopmentHistoryQuery, StoredEvent[]>(new DevelopmentHistoryQuery(id));
    return { items: events.map(storedEventJson) };
  }
}
