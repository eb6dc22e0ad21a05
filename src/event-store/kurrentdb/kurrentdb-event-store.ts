import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@kurrent/kurrentdb-client';
import type { AppendStreamState, Filter, ReadPosition, ReadStreamOptions, RecordedEvent } from '@kurrent/kurrentdb-client';
import {
  AppendResult,
  EventIdConflictError,
  EventMetadata,
  EventStore,
  EventSubscription,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions as StreamReadOptions,
  StoredEvent,
  StoredEventText,
  SubscribeOptions,
  WrongExpectedVersionError,
  checkDistinctEventIds,
  checkExpectedVersion,
  mapSubscription,
  matchesFilter,
  storedEventText,
} from '../event-store.port';

/** Events per read of $all while paging through it. */
const PAGE = 500;
/** The server stores positions as signed 64-bit; anything larger is its "no position" marker. */
const MAX_POSITION = 2n ** 63n - 1n;

/**
 * The event store on a KurrentDB server or cluster, through `@kurrent/kurrentdb-client`.
 *
 * `position` is the event's commit position in `$all` (for events appended through gRPC, commit and
 * prepare positions are equal). `recordedAt` is the server's `created` time. System events (`$`
 * types or streams) are never returned.
 *
 * WARNING: positions are strictly increasing in commit order but NOT gap-free and do not start at 1:
 * they are byte offsets in the transaction log. A reader may rely on order and on "after P", never on
 * P + 1 being the next event. `after` must be 0 or a position this store returned: the server
 * refuses a read from any other offset (InvalidPosition). Positions stay exact as JSON numbers
 * until the log passes 2^53 bytes.
 *
 * WARNING: `recordedAt` comes from the clock of the node that wrote the event. It is monotonic only
 * as far as that clock is (no guarantee across a leader change or a clock step backwards).
 *
 * WARNING: an event id is unique per stream only. Reusing a stored id in another stream appends a
 * second event with that id and raises no {@link EventIdConflictError} (KurrentDB has no lookup by
 * event id). With `'any'` or `'stream-exists'`, recognising a retried batch is best effort (a
 * server-side cache); with `'no-stream'` or an exact version it is guaranteed.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly subscriptions = new Set<() => void>();

  constructor(private readonly client: KurrentDBClient) {}

  /** Reading $all needs a user allowed to (e.g. `kurrentdb://admin:changeit@host:2113`). */
  static connect(connectionString: string): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString));
  }

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    checkDistinctEventIds(events);
    const result = await this.client
      .appendToStream(streamId, events.map(toEventData), { streamState: streamStateOf(expected) })
      .catch((error: unknown) => {
        if (!(error instanceof KurrentWrongExpectedVersionError)) throw error;
        throw refusal(streamId, events, expected, currentVersionOf(error.actualState));
      });
    // Only when the connection string sets throwOnAppendFailure=false.
    if (!result.success) throw refusal(streamId, events, expected, await this.lastVersion(streamId));
    return this.appended(streamId, events, result.nextExpectedRevision);
  }

  /**
   * The stored events of a successful append, read back by revision: the append answers only the last
   * revision and position, not each event's position and `created` time, and a retried batch is
   * answered with its original revisions, which this read turns into the original result.
   */
  private async appended(streamId: string, events: readonly NewEvent[], lastRevision: bigint): Promise<AppendResult> {
    const first = lastRevision - BigInt(events.length - 1);
    const stored =
      first < 0n ? [] : await this.read(streamId, { fromRevision: first, maxCount: events.length, requiresLeader: true });
    const same =
      stored.length === events.length &&
      stored.every((event, i) => sameEventId(event.eventId, events[i].eventId) && event.type === events[i].type);
    // The server also accepts stored ids sent again in another order or with another type as a retry.
    if (!same) throw new EventIdConflictError(events[0].eventId);
    return { streamVersion: lastRevision, position: stored[stored.length - 1].position, events: stored };
  }

  private async lastVersion(streamId: string): Promise<bigint | 'no-stream'> {
    const [last] = await this.read(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1, requiresLeader: true });
    return last ? last.streamVersion : 'no-stream';
  }

  async readStream(streamId: string, options: StreamReadOptions = {}): Promise<StoredEvent[]> {
    const { afterVersion } = options;
    return this.read(streamId, { direction: FORWARDS, fromRevision: afterVersion === undefined ? START : afterVersion + 1n });
  }

  private async read(streamId: string, options: ReadStreamOptions): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const { event } of this.client.readStream(streamId, options)) {
        if (event) events.push(toStoredEvent(event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const limit = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
    const found: StoredEvent[] = [];
    let cursor = options.after ?? 0n;
    let bytes = 0;
    let full = false;
    while (found.length < limit && !full) {
      // One more than needed: a forward read of $all includes the event at its start position.
      const maxCount = Math.min(limit - found.length, PAGE) + 1;
      let read = 0;
      const page = this.client.readAll({ direction: FORWARDS, fromPosition: positionAfter(cursor), maxCount, filter: serverFilter(options) });
      for await (const { event } of page) {
        read++;
        if (!event) continue;
        const position = positionOf(event);
        if (position <= cursor) continue;
        cursor = position;
        if (!isWanted(event, options)) continue;
        const stored = toStoredEvent(event);
        if (options.maxBytes !== undefined) {
          bytes += textBytes(stored);
          full = found.length > 0 && bytes > options.maxBytes;
          if (full) break;
        }
        found.push(stored);
        if (found.length >= limit) break;
      }
      if (read < maxCount) break;
    }
    return found;
  }

  /** The client parses JSON events as it reads them: their text here is the canonical JSON of that. */
  async readAllText(options: ReadAllOptions = {}): Promise<StoredEventText[]> {
    return (await this.readAll(options)).map(storedEventText);
  }

  subscribeText(options: SubscribeOptions = {}): EventSubscription<StoredEventText> {
    return mapSubscription(this.subscribe(options), storedEventText);
  }

  /** `subscribeToAll`: catch-up from `after`, then live, on one server-side subscription. */
  subscribe(options: SubscribeOptions = {}): EventSubscription {
    const after = options.after ?? 0n;
    // With a page budget, one event buffered each side of the client's stream (16 by default): a consumer that stops pulling pins little.
    const buffering = options.pageBytes === undefined ? {} : { highWaterMark: 1 };
    const source = this.client.subscribeToAll({ fromPosition: positionAfter(after), filter: serverFilter(options) }, buffering);
    type Stop = { stopped: true; error?: unknown };
    let stop!: (reason: Stop) => void;
    const stopped = new Promise<Stop>((resolve) => (stop = resolve));
    // Keeps a drop that happens while nobody iterates from crashing the process; the iterator rethrows it.
    source.on('error', (error) => stop({ stopped: true, error }));
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.subscriptions.delete(close);
      stop({ stopped: true });
      const destroy = () => source.destroy();
      source.unsubscribe().then(destroy, destroy);
    };
    this.subscriptions.add(close);

    async function* events(): AsyncGenerator<StoredEvent> {
      const iterator = source[Symbol.asyncIterator]();
      try {
        while (!closed) {
          const next = await Promise.race([iterator.next(), stopped]);
          if ('stopped' in next) {
            if (next.error !== undefined && !closed) throw next.error;
            return;
          }
          if (next.done) return;
          const { event } = next.value;
          // The start is documented as exclusive; the check keeps `after` strict whatever the server does.
          if (event && positionOf(event) > after && isWanted(event, options)) yield toStoredEvent(event);
        }
      } finally {
        close();
      }
    }

    return Object.assign(events(), { close });
  }

  /** Reads $all backwards for the last non-system event. */
  async headPosition(): Promise<bigint> {
    const last = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: excludeSystemEvents() });
    for await (const { event } of last) {
      if (event) return positionOf(event);
    }
    return 0n;
  }

  async close(): Promise<void> {
    for (const close of [...this.subscriptions]) close();
    await this.client.dispose();
  }
}

function toEventData(event: NewEvent) {
  return jsonEvent({ id: event.eventId, type: event.type, data: event.data as Record<string, unknown>, metadata: event.metadata });
}

/** The UTF-8 length of an event's data and metadata as JSON text, as the SQL stores count it for `maxBytes`. */
const textBytes = (event: StoredEvent): number =>
  Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata));

function toStoredEvent(recorded: RecordedEvent): StoredEvent {
  if (!recorded.isJson) throw new Error(`event ${recorded.id} in '${recorded.streamId}' is not JSON`);
  return {
    position: positionOf(recorded),
    streamId: recorded.streamId,
    streamVersion: recorded.revision,
    eventId: recorded.id,
    type: recorded.type,
    data: recorded.data as Record<string, unknown>,
    metadata: recorded.metadata as EventMetadata,
    recordedAt: recorded.created.toISOString(),
  };
}

function positionOf(recorded: RecordedEvent): bigint {
  const commit = recorded.position?.commit;
  // Servers before 22.6 send no position with events read from a stream.
  if (commit === undefined || commit < 0n || commit > MAX_POSITION) {
    throw new Error(`KurrentDB sent no $all position for event ${recorded.id}: the server must be 22.6 or later`);
  }
  return commit;
}

/** Reads from a position include the event there; callers drop it. */
function positionAfter(after: bigint): ReadPosition {
  return after <= 0n ? START : { commit: after, prepare: after };
}

function isWanted(recorded: RecordedEvent, options: SubscribeOptions): boolean {
  return !recorded.type.startsWith('$') && !recorded.streamId.startsWith('$') && matchesFilter(recorded, options);
}

/** Narrows on the server; {@link isWanted} decides exactly. Both options together: the stream prefix is sent. */
function serverFilter({ types, streamPrefix }: SubscribeOptions): Filter {
  if (streamPrefix) return streamNameFilter({ regex: `^${literalPattern(streamPrefix)}` });
  if (types && types.length > 0) return eventTypeFilter({ regex: `^(?:${types.map(literalPattern).join('|')})$` });
  return excludeSystemEvents();
}

/** A .NET regex for `text`, code unit by code unit: the server's prefix filters use culture-sensitive `StartsWith`. */
function literalPattern(text: string): string {
  let pattern = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text[i];
    pattern += /[A-Za-z0-9]/.test(unit) ? unit : `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return pattern;
}

function streamStateOf(expected: ExpectedVersion): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no-stream':
      return NO_STREAM;
    case 'stream-exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

function currentVersionOf(state: bigint | typeof NO_STREAM): bigint | 'no-stream' {
  return typeof state === 'bigint' && state >= 0n ? state : 'no-stream';
}

/**
 * Why the server refused a batch: a version conflict, unless `expected` holds for the actual version,
 * when only a batch that repeats part of a stored one ("corrupted idempotency") explains the refusal.
 */
function refusal(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion, actual: bigint | 'no-stream'): Error {
  try {
    checkExpectedVersion(streamId, expected, actual);
  } catch (conflict) {
    if (conflict instanceof WrongExpectedVersionError) return conflict;
    throw conflict;
  }
  return new EventIdConflictError(events[0].eventId);
}

/** KurrentDB keeps event ids as UUIDs and answers them in lower case. */
function sameEventId(stored: string, sent: string): boolean {
  return stored.toLowerCase() === sent.toLowerCase();
}
