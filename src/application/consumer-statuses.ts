import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from '../projections/projection-runner';
import { NatsRelayService } from '../relay/nats-relay.service';
import { PROJECTION_RUNNERS } from './projection-gate';

/** Lag is counted by reading the log after the checkpoint, up to this many events. */
export const LAG_COUNT_LIMIT = 1000;

export type ConsumerStatus = Readonly<{ name: string; checkpoint: bigint; lag: number; state: string }>;

/**
 * Where each consumer of the log stands (projections, the NATS relay): its checkpoint, its state,
 * and its lag, counted in events since KurrentDB positions are not gap-free (at most
 * {@link LAG_COUNT_LIMIT}: that value means "that many or more").
 */
@Injectable()
export class ConsumerStatuses {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    private readonly relay: NatsRelayService,
  ) {}

  async read(): Promise<{ head: bigint; consumers: ConsumerStatus[] }> {
    // Checkpoints before the head, so a checkpoint is never past the head it is compared with.
    const seen = [
      ...this.runners.map((runner) => ({ name: runner.name, checkpoint: runner.checkpoint, state: runner.state })),
      ...this.relay.statuses().map(({ name, checkpoint, state }) => ({ name, checkpoint, state: state as string })),
    ];
    const head = await this.store.headPosition();
    const consumers = await Promise.all(seen.map(async (consumer) => ({ ...consumer, lag: await this.eventsBetween(consumer.checkpoint, head) })));
    return { head, consumers };
  }

  private async eventsBetween(after: bigint, upTo: bigint): Promise<number> {
    if (after >= upTo) return 0;
    const events = await this.store.readAll({ after, limit: LAG_COUNT_LIMIT });
    return events.filter((event) => event.position <= upTo).length;
  }
}
