import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock } from '../platform/clock';
import { PROJECTION_RUNNERS, ProjectionRunner } from './projection-runner';

/**
 * "Now" for reads that give no time: never before the last event applied, so a write is visible
 * right after it answered even if the machine's clock stepped back (the store never goes back).
 */
@Injectable()
export class ReadClock {
  constructor(
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  now(): number {
    return Math.max(this.clock.now(), ...this.runners.map((runner) => runner.recordedAtMs));
  }
}
