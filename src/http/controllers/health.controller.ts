import { Controller, Get, Inject, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerStatuses } from '../../application/consumer-statuses';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { HealthDetailForLoopback } from '../auth/health-detail.interceptor';
import { Public } from '../auth/roles.decorator';
import { HealthSchema } from '../openapi/operations.schemas';
import { ApiProblems } from '../openapi/problem.schema';
import { messageOf } from '../../platform/error-message';

@ApiTags('operations')
@Controller('health')
@Public()
@SkipThrottle()
@UseInterceptors(HealthDetailForLoopback)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly statuses: ConsumerStatuses,
  ) {}

  @Get()
  // Documented here rather than by terminus: its 503 is a problem document, as every error is.
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ type: HealthSchema, description: 'up; to a client on another machine, `{status}` only' })
  @ApiProblems([400, 503], { 503: 'the event store is unreachable or a projection is retrying' })
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('eventStore');
        try {
          return indicator.up({ head: Number(await this.store.headPosition()) });
        } catch (error) {
          return indicator.down({ message: messageOf(error) });
        }
      },
      async () => {
        const { consumers } = await this.statuses.read();
        const details = Object.fromEntries(
          consumers.map(({ name, checkpoint, lag, state }) => [name, { checkpoint: Number(checkpoint), lag, state }]),
        );
        const indicator = this.indicators.check('projections');
        return consumers.some((consumer) => consumer.state === 'retrying') ? indicator.down(details) : indicator.up(details);
      },
    ]);
  }
}
