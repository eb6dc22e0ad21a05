import { Inject, Injectable } from '@nestjs/common';
import { Command, Decider, Event } from '../domain/shared/event';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { CommandContext, handleCommand } from '../event-store/handle-command';
import { StreamStates } from '../event-store/stream-states';
import { KeyedMutex } from '../platform/async-mutex';
import { ProjectionGate } from '../projections/projection-gate';
import { WriteResult } from './write-result';

/**
 * Events the kept stream states may be folded from, all streams together: tens of megabytes at
 * most, so the streams being written now are read and folded from where they were left, not whole.
 */
const KEPT_STATE_EVENTS = 50_000;

/** An aggregate as the write path sees it: the stream an id names, and the decider its commands go through. */
export type AggregateStreams<State, C extends Command, E extends Event> = Readonly<{
  streamId: (id: string) => string;
  decider: Decider<State, C, E>;
}>;

/**
 * The one write path: every command handler appends through here, so every write is serialised per
 * stream, decided by `handleCommand` and answered once reads reflect it (read-your-writes).
 */
@Injectable()
export class StreamWriter {
  /** Commands on one stream run one at a time here; other instances are met by `handleCommand`'s retries. */
  private readonly streams = new KeyedMutex();
  private readonly states = new StreamStates(KEPT_STATE_EVENTS);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionGate,
  ) {}

  /**
   * Runs `command` against the stream of aggregate `id` and waits, bounded, for the projections.
   * WARNING: a write the projections did not reach in time is still stored; it answers `readModelBehind`.
   */
  async write<State, C extends Command, E extends Event>(
    aggregate: AggregateStreams<State, C, E>,
    id: string,
    command: C,
    context: CommandContext,
  ): Promise<WriteResult> {
    const streamId = aggregate.streamId(id);
    const result = await this.streams.run(streamId, () => handleCommand(this.store, streamId, aggregate.decider, command, context, this.states));
    const caughtUp = await this.projections.caughtUp(result.position);
    return {
      id,
      version: result.streamVersion,
      position: result.position,
      ...(result.replayed ? { replayed: true } : {}),
      ...(caughtUp ? {} : { readModelBehind: true }),
    };
  }
}
