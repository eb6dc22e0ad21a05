import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { LogConsumer, LogConsumers } from '../projections/log-consumers';

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
    @Inject(LogConsumers) private readonly consumers: Iterable<LogConsumer>,
  ) {}

  async read(): Promise<{ head: bigint; consumers: ConsumerStatus[] }> {
    // Checkpoints before the head, so a checkpoint is never past the head it is compared with.
    const seen = [...this.consumers].map(({ name, checkpoint, state }) => ({ name, checkpoint, state }));
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
