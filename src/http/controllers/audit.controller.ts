import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { AuditLog } from '../../application/audit/audit-log';
import { ReadClock } from '../../projections/read-clock';
import { Roles } from '../auth/roles.decorator';
import { ConsistencyQueryDto, InclusionQueryDto, ReplayQueryDto } from '../dto/audit-query.dto';
import { boundMs, instantText, topicsParam } from '../time-params';
import { ConsistencyProofSchema, InclusionProofSchema, LogReplaySchema, LogVerificationSchema, SignedTreeHeadSchema } from '../openapi/audit.schemas';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';

const optionalCount = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** The auditor's view of the log (auditor and admin roles): signed heads, proofs, verify, replay, export. */
@ApiTags('audit')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
@Controller('v1/audit')
@Roles('auditor', 'admin')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    private readonly readClock: ReadClock,
  ) {}

  @Get('tree-head')
  @ApiOkResponse({ type: SignedTreeHeadSchema })
  treeHead() {
    return this.audit.treeHead();
  }

  @Get('inclusion')
  @ApiOkResponse({ type: InclusionProofSchema })
  @ApiProblems([404], { 404: 'no event at this position' })
  inclusion(@Query() query: InclusionQueryDto) {
    return this.audit.inclusion(BigInt(query.position), optionalCount(query.treeSize));
  }

  @Get('consistency')
  @ApiOkResponse({ type: ConsistencyProofSchema })
  consistency(@Query() query: ConsistencyQueryDto) {
    return this.audit.consistency(Number(query.first), optionalCount(query.second));
  }

  @Get('verify')
  @ApiOkResponse({ type: LogVerificationSchema, description: 'the log against its Merkle tree; `ok: false` names the first mismatch' })
  verify() {
    return this.audit.verify();
  }

  @Get('replay')
  @ApiOkResponse({ type: LogReplaySchema })
  async replay(@Query() query: ReplayQueryDto) {
    const now = this.readClock.now();
    const at = { asOfMs: boundMs(query.asOf, now), recordedAsOfMs: boundMs(query.recordedAsOf, now) };
    const replay = await this.audit.replay(at, { topics: topicsParam(query.topic) });
    return { asOf: instantText(at.asOfMs), recordedAsOf: instantText(at.recordedAsOfMs), ...replay };
  }

  @Get('export')
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'the signed tree head, then every event with its leaf hash, one JSON document a line (`npm run verify-export` checks it)',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  export(): StreamableFile {
    return new StreamableFile(Readable.from(this.audit.export()), {
      type: 'application/x-ndjson',
      disposition: 'attachment; filename="timeline-audit-export.ndjson"',
    });
  }
}
