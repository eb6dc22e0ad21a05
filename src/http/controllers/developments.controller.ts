import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ReadClock } from '../../projections/read-clock';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { CorrectClaimCommand } from '../../application/commands/correct-claim.handler';
import { CorrectDevelopmentCommand } from '../../application/commands/correct-development.handler';
import { RecordDevelopmentCommand } from '../../application/commands/record-development.handler';
import { ReportClaimCommand } from '../../application/commands/report-claim.handler';
import { RetractClaimCommand } from '../../application/commands/retract-claim.handler';
import { DevelopmentAsOfQuery } from '../../application/queries/development-as-of.handler';
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
  toDevelopmentChanges,
  toDevelopmentFields,
} from '../dto/development.dto';
import { AsOfDto } from '../dto/query.dto';
import { writeResultJson } from '../json';
import { WriteContext } from '../request-context';
import { positionParam, timePoint } from '../time-params';

@ApiTags('developments')
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
  record(@Body() dto: RecordDevelopmentDto, @WriteContext() context: CommandContext) {
    const input = { id: dto.id, fields: toDevelopmentFields(dto), claim: toClaimFields(dto.claim) };
    return this.write(new RecordDevelopmentCommand(input, context));
  }

  @Post(':id/claims')
  @Roles('editor', 'admin')
  reportClaim(@Param('id') id: string, @Body() dto: ClaimInputDto, @WriteContext() context: CommandContext) {
    return this.write(new ReportClaimCommand({ developmentId: id, claim: toClaimFields(dto) }, context));
  }

  @Post(':id/claims/:claimId/retraction')
  @Roles('editor', 'admin')
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
  correct(@Param('id') id: string, @Body() dto: CorrectDevelopmentDto, @WriteContext() context: CommandContext) {
    const input = { developmentId: id, changes: toDevelopmentChanges(dto.changes), reason: dto.reason };
    return this.write(new CorrectDevelopmentCommand(input, context));
  }

  @Post(':id/claims/:claimId/corrections')
  @Roles('editor', 'admin')
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
  get(@Param('id') id: string, @Query() query: AsOfDto) {
    const at = timePoint(query.asOf, query.recordedAsOf, this.readClock.now());
    return this.queries.execute<DevelopmentAsOfQuery, DevelopmentView>(
      new DevelopmentAsOfQuery(id, at, positionParam(query.minPosition, 'minPosition')),
    );
  }

  @Get(':id/history')
  async history(@Param('id') id: string) {
    const events = await this.queries.execute<DevelopmentHistoryQuery, StoredEvent[]>(new DevelopmentHistoryQuery(id));
    return { items: events.map(storedEventJson) };
  }
}
