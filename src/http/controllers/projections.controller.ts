import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ConsumerStatuses } from '../../application/consumer-statuses';
import { ProjectionsSchema } from '../openapi/operations.schemas';
import { ApiProblems, KEYED_ROUTE_PROBLEMS } from '../openapi/problem.schema';

@ApiTags('operations')
@ApiBearerAuth()
@ApiProblems(KEYED_ROUTE_PROBLEMS)
@Controller('v1/projections')
@Roles('reader', 'editor', 'auditor', 'admin')
export class ProjectionsController {
  constructor(private readonly statuses: ConsumerStatuses) {}

  /** `{head, projections: [{name, checkpoint, lag, state}]}`, the NATS relay included when it runs. */
  @Get()
  @ApiOkResponse({ type: ProjectionsSchema })
  async projections() {
    const { head, consumers } = await this.statuses.read();
    return {
      head: Number(head),
      projections: consumers.map((consumer) => ({ ...consumer, checkpoint: Number(consumer.checkpoint) })),
    };
  }
}
