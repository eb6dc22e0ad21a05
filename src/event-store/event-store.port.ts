import canonicalize from 'canonicalize';

/** Who and what caused an event; carried with it for ever. */
export type EventMetadata = Readonly<{
  schemaVersion: number;
  correlationId: string;
  causationId: string;
  actor: string;
}>;

/** An event about to be appended. `eventId` makes the append idempotent. */
export type NewEvent = Readonly<{
  eventId: string;
  type: string;
  data: object;
  metadata: EventMetadata;
}>;

/**
 * An event as the log holds it. `position` is global and strictly increasing in commit order;
 * gap-free from 1 on the SQL stores, not on KurrentDB (see its adapter).
 */
export type StoredEvent = Readonly<{
  position: bigint;
  streamId: string;
  /** 0-based. */
  streamVersion: bigint;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  /** Transaction time, from the store's clock: never earlier than the previous event's. */
  recordedAt: string;
}>;

/**
 * A stored event with `data` and `metadata` still the JSON text the log holds: for serving and
 * hashing the log unchanged, without parsing it. The SQL stores write that text as RFC 8785
 * canonical JSON (WARNING: rows written before they did, or edited, may hold other valid JSON).
 */
export type StoredEventText = Readonly<Omit<StoredEvent, 'data' | 'metadata'> & { data: string; metadata: string }>;

/** `bigint`: the stream's last `streamVersion` must be exactly this. */
export type ExpectedVersion = 'any' | 'no-stream' | 'stream-exists' | bigint;

export type AppendResult = Readonly<{
  /** The stream's last `streamVersion` after the append. */
  streamVersion: bigint;
  /** The position of the last event appended. */
  position: bigint;
  events: readonly StoredEvent[];
}>;

export type ReadStreamOptions = Readonly<{
  /** Only the events after this stream version (a reader holding the stream up to it reads the rest). */
  afterVersion?: bigint;
}>;

export type ReadAllOptions = Readonly<{
  /** Only events with `position > after`; from the start when absent. */
  after?: bigint;
  limit?: number;
  /**
   * Stop before the events read would hold more than this many bytes of data and metadata (as
   * UTF-8 JSON text); the first event is read whatever its size. Bounds a page in memory, not only
   * in events: a short page then does not mean the end of the log.
   */
  maxBytes?: number;
  types?: readonly string[];
  streamPrefix?: string;
}>;

export type SubscribeOptions = Omit<ReadAllOptions, 'limit' | 'maxBytes'> & {
  /**
   * Ends each catch-up page before this many bytes of event text as well as at its event count, for
   * a consumer that may stop pulling (the rest of its page stays in memory until it pulls again).
   * Without it pages are full, so a projection catches up in as few reads as it can.
   */
  pageBytes?: number;
};

/** A catch-up-then-live feed of the log. Iterating yields each matching event once, in order. */
export interface EventSubscription<E = StoredEvent> extends AsyncIterable<E> {
  close(): void;
}

/**
 * The event store port. Every adapter passes `test/contract/event-store.contract.ts`.
 *
 * Invariants: an append is atomic; a stream's versions are 0-based and contiguous; positions are
 * assigned in commit order, so a reader that has seen position P has seen every event before it;
 * appending events whose ids are already stored, in the same stream and order, returns the
 * original result and appends nothing.
 */
export interface EventStore {
  append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  /** The stream in version order (after `afterVersion` when given); empty when it does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /** {@link readAll}, each event's data and metadata as the stored text. */
  readAllText(options?: ReadAllOptions): Promise<StoredEventText[]>;
  subscribe(options?: SubscribeOptions): EventSubscription;
  /** {@link subscribe}, yielding events as {@link readAllText} reads them. */
  subscribeText(options?: SubscribeOptions): EventSubscription<StoredEventText>;
  /** The position of the last event, 0n when the log is empty. */
  headPosition(): Promise<bigint>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

/** The stream is not at the version the writer expected. */
export class WrongExpectedVersionError extends Error {
  readonly code = 'VERSION_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: bigint | 'no-stream',
  ) {
    super(`stream '${streamId}' is at version ${String(actual)}, expected ${String(expected)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/** An event id is already stored for a different event. */
export class EventIdConflictError extends Error {
  readonly code = 'EVENT_ID_CONFLICT';
  constructor(readonly eventId: string) {
    super(`event id '${eventId}' is already stored for another event`);
    this.name = 'EventIdConflictError';
  }
}

/** The version a stream must be at for `expected`, checked by every adapter the same way. */
export function checkExpectedVersion(streamId: string, expected: ExpectedVersion, actual: bigint | 'no-stream'): void {
  const ok =
    expected === 'any' ||
    (expected === 'no-stream' && actual === 'no-stream') ||
    (expected === 'stream-exists' && actual !== 'no-stream') ||
    (typeof expected === 'bigint' && actual === expected);
  if (!ok) throw new WrongExpectedVersionError(streamId, expected, actual);
}

/** A batch may not name one event id twice; checked by every adapter before it writes. */
export function checkDistinctEventIds(events: readonly NewEvent[]): void {
  const seen = new Set<string>();
  for (const { eventId } of events) {
    if (seen.has(eventId)) throw new EventIdConflictError(eventId);
    seen.add(eventId);
  }
}

/**
 * For adapters that can look events up by id: the original result when `events` were appended to
 * `streamId` before (same ids, types and order), undefined when none of the ids is stored, and an
 * {@link EventIdConflictError} when some are stored for something else.
 */
export function retriedAppend(
  streamId: string,
  events: readonly NewEvent[],
  found: readonly (StoredEvent | undefined)[],
): AppendResult | undefined {
  if (found.every((event) => event === undefined)) return undefined;
  const same = found.every(
    (event, i) =>
      event !== undefined &&
      event.streamId === streamId &&
      event.type === events[i].type &&
      (i === 0 || event.streamVersion === found[i - 1]!.streamVersion + 1n),
  );
  if (!same) throw new EventIdConflictError(events[found.findIndex((event) => event !== undefined)].eventId);
  const stored = found as StoredEvent[];
  const last = stored[stored.length - 1];
  return { streamVersion: last.streamVersion, position: last.position, events: stored };
}

/** Whether an event passes the `types` and `streamPrefix` filters. */
export function matchesFilter(event: Pick<StoredEvent, 'type' | 'streamId'>, options: SubscribeOptions): boolean {
  return (
    (options.types === undefined || options.types.length === 0 || options.types.includes(event.type)) &&
    (options.streamPrefix === undefined || event.streamId.startsWith(options.streamPrefix))
  );
}

/** The JSON text an event's data and metadata are stored as: RFC 8785 canonical, so the log can be hashed as stored. */
export function storedJson(value: object): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('event data and metadata must be JSON objects');
  return text;
}

/** An event read as text, parsed. Throws a SyntaxError when its stored text is not JSON. */
export const parsedEvent = (event: StoredEventText): StoredEvent => ({
  ...event,
  data: JSON.parse(event.data),
  metadata: JSON.parse(event.metadata),
});

/**
 * An event just appended, as the caller gets it back: its data and metadata parsed from the text
 * written (sharing nothing with the caller's objects) when first read, and memoised. Parsing them
 * at once cost about a tenth of an append with many writers, for results the server never reads.
 */
export function appendedEvent(event: StoredEventText): StoredEvent {
  let data: Record<string, unknown> | undefined;
  let metadata: EventMetadata | undefined;
  return {
    position: event.position,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    eventId: event.eventId,
    type: event.type,
    get data() {
      return (data ??= JSON.parse(event.data) as Record<string, unknown>);
    },
    get metadata() {
      return (metadata ??= JSON.parse(event.metadata) as EventMetadata);
    },
    recordedAt: event.recordedAt,
  };
}

/** An event read as objects, as {@link StoredEventText} (for stores that hand out parsed events). */
export const storedEventText = (event: StoredEvent): StoredEventText => ({
  ...event,
  data: storedJson(event.data),
  metadata: storedJson(event.metadata),
});

/** A subscription yielding `map(event)` for each event of `source`. */
export function mapSubscription<A, B>(source: EventSubscription<A>, map: (event: A) => B): EventSubscription<B> {
  async function* events(): AsyncGenerator<B> {
    try {
      for await (const event of source) yield map(event);
    } finally {
      source.close();
    }
  }
  return Object.assign(events(), { close: () => source.close() });
}
