import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { PROJECTION_RUNNERS } from '../../application/projection-gate';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { ProjectionRunner } from '../../projections/projection-runner';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('eventStore');
        try {
          return indicator.up({ head: Number(await this.store.headPosition()) });
        } catch (error) {
          return indicator.down({ message: error instanceof Error ? error.message : String(error) });
        }
      },
      async () => {
        const head = await this.store.headPosition();
        const projections = Object.fromEntries(
          this.runners.map((runner) => [runner.name, { checkpoint: Number(runner.checkpoint), lag: Number(head - runner.checkpoint) }]),
        );
        return this.indicators.check('projections').up(projections);
      },
    ]);
  }
}
