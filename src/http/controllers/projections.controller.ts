import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ConsumerStatuses } from '../../application/consumer-statuses';

@ApiTags('operations')
@Controller('v1/projections')
@Roles('reader', 'editor', 'auditor', 'admin')
export class ProjectionsController {
  constructor(private readonly statuses: ConsumerStatuses) {}

  /** `{head, projections: [{name, checkpoint, lag, state}]}`, the NATS relay included when it runs. */
  @Get()
  async projections() {
    const { head, consumers } = await this.statuses.read();
    return {
      head: Number(head),
      projections: consumers.map((consumer) => ({ ...consumer, checkpoint: Number(consumer.checkpoint) })),
    };
  }
}
