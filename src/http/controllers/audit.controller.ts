import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { AuditLog } from '../../application/audit/audit-log';
import { ReadClock } from '../../projections/read-clock';
import { Roles } from '../auth/roles.decorator';
import { ConsistencyQueryDto, InclusionQueryDto, ReplayQueryDto } from '../dto/audit-query.dto';
import { boundMs, instantText, topicsParam } from '../time-params';

const optionalCount = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** The auditor's view of the log (auditor and admin roles): signed heads, proofs, verify, replay, export. */
@ApiTags('audit')
@Controller('v1/audit')
@Roles('auditor', 'admin')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    private readonly readClock: ReadClock,
  ) {}

  @Get('tree-head')
  treeHead() {
    return this.audit.treeHead();
  }

  @Get('inclusion')
  inclusion(@Query() query: InclusionQueryDto) {
    return this.audit.inclusion(BigInt(query.position), optionalCount(query.treeSize));
  }

  @Get('consistency')
  consistency(@Query() query: ConsistencyQueryDto) {
    return this.audit.consistency(Number(query.first), optionalCount(query.second));
  }

  @Get('verify')
  verify() {
    return this.audit.verify();
  }

  @Get('replay')
  async replay(@Query() query: ReplayQueryDto) {
    const now = this.readClock.now();
    const at = { asOfMs: boundMs(query.asOf, now), recordedAsOfMs: boundMs(query.recordedAsOf, now) };
    const replay = await this.audit.replay(at, { topics: topicsParam(query.topic) });
    return { asOf: instantText(at.asOfMs), recordedAsOf: instantText(at.recordedAsOfMs), ...replay };
  }

  @Get('export')
  export(): StreamableFile {
    return new StreamableFile(Readable.from(this.audit.export()), {
      type: 'application/x-ndjson',
      disposition: 'attachment; filename="timeline-audit-export.ndjson"',
    });
  }
}
