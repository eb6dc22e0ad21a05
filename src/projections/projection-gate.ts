import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../platform/app-config';
import { PROJECTION_RUNNERS, ProjectionRunner } from './projection-runner';

/** Projections did not reach a position in time. */
export class ProjectionLagError extends Error {
  readonly code = 'PROJECTION_LAG';
  constructor(readonly position: bigint) {
    super(`projections have not reached position ${position} yet; retry shortly`);
    this.name = 'ProjectionLagError';
  }
}

/** Read-your-writes and `minPosition`: waits, bounded, until every projection has applied a position. */
@Injectable()
export class ProjectionGate {
  constructor(
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** For reads (`minPosition`): a {@link ProjectionLagError} when the projections do not reach `position` in time. */
  async reached(position: bigint): Promise<void> {
    if (!(await this.caughtUp(position))) throw new ProjectionLagError(position);
  }

  /**
   * For writes (read-your-writes): whether the projections reached `position` in time. Never
   * throws, since the write it waits for is durable and answers its result either way.
   */
  async caughtUp(position: bigint): Promise<boolean> {
    const results = await Promise.all(this.runners.map((runner) => runner.waitFor(position, this.config.projectionWaitMs)));
    return !results.includes(false);
  }
}
