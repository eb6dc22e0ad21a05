import { Command, Decider, Event } from '../domain/shared/event';
import { IdGenerator } from '../platform/ids';
import { EventMetadata, EventStore, StoredEvent, WrongExpectedVersionError } from './event-store.port';
import { CURRENT_SCHEMA_VERSION, upcast } from './upcasters';

/** Who asks, and how the request is traced. */
export type CommandContext = Readonly<{
  correlationId: string;
  actor: string;
  ids: IdGenerator;
  /** From `If-Match`: the stream must still be at this version. */
  expectedVersion?: bigint;
}>;

export type CommandResult = Readonly<{
  streamVersion: bigint;
  position: bigint;
  events: readonly StoredEvent[];
}>;

/** Concurrent writers without `If-Match` re-read and re-decide this many times before giving up. */
const RETRIES = 3;

/**
 * The one place a command meets the log: read the stream, fold `evolve`, `decide`, append with the
 * version that was read. Optimistic concurrency lives here and only here.
 */
export async function handleCommand<State, C extends Command, E extends Event>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, C, E>,
  command: C,
  context: CommandContext,
): Promise<CommandResult> {
  for (let attempt = 0; ; attempt++) {
    const stream = await store.readStream(streamId);
    const version = stream.length === 0 ? undefined : stream[stream.length - 1].streamVersion;
    if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
      throw new WrongExpectedVersionError(streamId, context.expectedVersion, version ?? 'no-stream');
    }
    const state = stream.map((event) => upcast(event)).reduce(
      (current, event) => decider.evolve(current, { type: event.type, data: event.data } as unknown as E),
      decider.initialState(),
    );
    const events = decider.decide(command, state);
    const causationId = context.ids.uuid();
    const metadata: EventMetadata = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      correlationId: context.correlationId,
      causationId,
      actor: context.actor,
    };
    try {
      return await store.append(
        streamId,
        events.map((event) => ({ eventId: context.ids.uuid(), type: event.type, data: event.data, metadata })),
        version === undefined ? 'no-stream' : version,
      );
    } catch (error) {
      const retry = error instanceof WrongExpectedVersionError && context.expectedVersion === undefined;
      if (!retry || attempt >= RETRIES) throw error;
    }
  }
}
