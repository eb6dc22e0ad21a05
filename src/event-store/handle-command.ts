import { Command, Decider, Event } from '../domain/shared/event';
import { IdGenerator } from '../platform/ids';
import { EventMetadata, EventStore, StoredEvent, WrongExpectedVersionError } from './event-store.port';
import { StreamStates } from './stream-states';
import { upcast, upcasters } from './upcasters';

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
  /** The command had been carried out before (a retry): nothing was appended now. */
  replayed?: boolean;
}>;

/**
 * A retried request (same idempotency key, so the same derived ids) whose events are already in
 * the stream: the original result, instead of deciding again against a state that includes them.
 */
function alreadyAppended(stream: readonly StoredEvent[], context: CommandContext): CommandResult | undefined {
  const first = context.ids.peek();
  const start = first === undefined ? -1 : stream.findIndex((event) => event.eventId === first);
  if (start < 0) return undefined;
  const events = [stream[start]];
  for (const event of stream.slice(start + 1)) {
    if (event.metadata.causationId !== stream[start].metadata.causationId) break;
    events.push(event);
  }
  const last = events[events.length - 1];
  return { streamVersion: last.streamVersion, position: last.position, events, replayed: true };
}

/** Concurrent writers without `If-Match` re-read and re-decide this many times before giving up. */
const RETRIES = 8;
/** Upper bound of the random pause before a retry, so racing writers spread out. */
const RETRY_JITTER_MS = 15;

/**
 * The one place a command meets the log: read the stream, fold `evolve`, `decide`, append with the
 * version that was read. Optimistic concurrency lives here and only here. With `states`, a stream
 * folded before is read and folded only from where it was left (what anyone appended since); a
 * command whose ids are derived (a request that may be a retry) reads its stream whole, to find
 * its own events if they are there.
 */
export async function handleCommand<State, C extends Command, E extends Event>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, C, E>,
  command: C,
  context: CommandContext,
  states?: StreamStates,
): Promise<CommandResult> {
  const mayBeRetry = context.ids.peek() !== undefined;
  for (let attempt = 0; ; attempt++) {
    let folded = mayBeRetry ? undefined : states?.get(streamId, decider);
    // From the kept state's last event on, to check that the stream still holds it.
    let stream = await store.readStream(streamId, folded ? { afterVersion: folded.version - 1n } : {});
    if (folded && stream[0]?.eventId === folded.lastEventId) stream = stream.slice(1);
    else if (folded) {
      states?.forget(streamId);
      folded = undefined;
      stream = await store.readStream(streamId);
    }
    const last = stream.at(-1);
    const version = last ? last.streamVersion : folded?.version;
    const causationId = context.ids.uuid();
    const replayed = alreadyAppended(stream, context);
    if (replayed) return replayed;
    if (context.expectedVersion !== undefined && context.expectedVersion !== version) {
      throw new WrongExpectedVersionError(streamId, context.expectedVersion, version ?? 'no-stream');
    }
    const state = stream.map((event) => upcast(event)).reduce(
      (current, event) => decider.evolve(current, { type: event.type, data: event.data } as unknown as E),
      folded ? (folded.state as State) : decider.initialState(),
    );
    const lastEventId = last ? last.eventId : folded?.lastEventId;
    if (version !== undefined && lastEventId !== undefined) states?.set(streamId, { decider, version, lastEventId, state });
    const events = decider.decide(command, state);
    // Each event at its type's current schema version: what it is decided in.
    const metadata = (type: string): EventMetadata => ({
      schemaVersion: upcasters.currentVersion(type),
      correlationId: context.correlationId,
      causationId,
      actor: context.actor,
    });
    try {
      return await store.append(
        streamId,
        events.map((event) => ({ eventId: context.ids.uuid(), type: event.type, data: event.data, metadata: metadata(event.type) })),
        version === undefined ? 'no-stream' : version,
      );
    } catch (error) {
      // Another writer appended since the read (or the store was replaced): read it whole next time.
      if (error instanceof WrongExpectedVersionError) states?.forget(streamId);
      const retry = error instanceof WrongExpectedVersionError && context.expectedVersion === undefined;
      if (!retry || attempt >= RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_JITTER_MS * (attempt + 1)));
    }
  }
}
