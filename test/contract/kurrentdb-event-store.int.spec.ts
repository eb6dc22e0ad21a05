import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  EventStore,
  EventSubscription,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StoredEventText,
  SubscribeOptions,
  WrongExpectedVersionError,
  mapSubscription,
} from '../../src/event-store/event-store.port';
import { KurrentDbEventStore } from '../../src/event-store/kurrentdb/kurrentdb-event-store';
import { describeEventStoreContract } from './event-store.contract';

/** A KurrentDB server the tests may write to, e.g. `kurrentdb://admin:changeit@localhost:2113?tls=false`. */
const KURRENTDB_URL = process.env.KURRENTDB_URL;

function aUniqueName(): string {
  return `contract${randomUUID().replace(/-/g, '')}`;
}

function anEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'ClaimReported',
    data: { text: 'a claim' },
    metadata: { schemaVersion: 1, correlationId: randomUUID(), causationId: randomUUID(), actor: 'kurrentdb-test' },
    ...overrides,
  };
}

/**
 * One test's view of a server that keeps every earlier test's events: its streams are prefixed with
 * `namespace`, and reading or subscribing starts at `start`, the head before the test began.
 */
class NamespacedStore implements EventStore {
  constructor(
    private readonly store: EventStore,
    private readonly namespace: string,
    private readonly start: bigint,
  ) {}

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    try {
      const result = await this.store.append(this.namespace + streamId, events, expected);
      return { ...result, events: result.events.map((event) => this.local(event)) };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new WrongExpectedVersionError(streamId, error.expected, error.actual);
      throw error;
    }
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await this.store.readStream(this.namespace + streamId, options)).map((event) => this.local(event));
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return (await this.store.readAll(this.scoped(options))).map((event) => this.local(event));
  }

  async readAllText(options: ReadAllOptions = {}): Promise<StoredEventText[]> {
    return (await this.store.readAllText(this.scoped(options))).map((event) => this.local(event));
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return mapSubscription(this.store.subscribe(this.scoped(options)), (event) => this.local(event));
  }

  subscribeText(options: SubscribeOptions = {}): EventSubscription<StoredEventText> {
    return mapSubscription(this.store.subscribeText(this.scoped(options)), (event) => this.local(event));
  }

  headPosition(): Promise<bigint> {
    return this.store.headPosition();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private scoped<T extends SubscribeOptions>(options: T): T {
    // No event of this test precedes `start`: reading from there skips the earlier tests' history.
    const after = options.after === undefined || options.after < this.start ? this.start : options.after;
    return { ...options, after, streamPrefix: this.namespace + (options.streamPrefix ?? '') };
  }

  private local<E extends StoredEvent | StoredEventText>(event: E): E {
    // A leak from another namespace must fail the test, not be renamed into it.
    if (!event.streamId.startsWith(this.namespace)) throw new Error(`event of stream '${event.streamId}' leaked into this test`);
    return { ...event, streamId: event.streamId.slice(this.namespace.length) };
  }
}

if (KURRENTDB_URL === undefined || KURRENTDB_URL === '') {
  process.stdout.write('KurrentDB contract tests skipped: KURRENTDB_URL is not set (KurrentDB cannot run on this machine)\n');
  describe('KurrentDB event store (contract)', () => {
    it.skip('runs the event store contract against the KurrentDB server named by KURRENTDB_URL', () => undefined);
  });
} else {
  const url = KURRENTDB_URL;

  describeEventStoreContract(
    'KurrentDB',
    async () => {
      const store = KurrentDbEventStore.connect(url);
      const view = new NamespacedStore(store, `${aUniqueName()}-`, await store.headPosition());
      // The server stamps `created` with its own clock; the test cannot set it.
      return { store: view, setNow: () => undefined, close: () => view.close() };
    },
    { gapFreePositions: false, emptyAtStart: false, settableClock: false, eventIdsUniqueAcrossStreams: false },
  );

  describe('KurrentDB event store, beyond the contract', () => {
    let store: KurrentDbEventStore;
    let namespace: string;

    beforeEach(() => {
      store = KurrentDbEventStore.connect(url);
      namespace = `${aUniqueName()}-`;
    });

    afterEach(async () => {
      await store.close();
    });

    it('reads $all from a position with no filter, in commit order and without system events', async () => {
      const start = await store.headPosition();
      const first = await store.append(`${namespace}a`, [anEvent(), anEvent()], 'no-stream');
      const second = await store.append(`${namespace}b`, [anEvent()], 'no-stream');

      const read = await store.readAll({ after: start });

      expect(read.filter((event) => event.streamId.startsWith(namespace))).toEqual([...first.events, ...second.events]);
      expect(read.filter((event) => event.type.startsWith('$') || event.streamId.startsWith('$'))).toEqual([]);
      expect(await store.headPosition()).toBe(read[read.length - 1].position);
    });

    it('filters $all by exact event type alone, from the start of the log', async () => {
      const type = aUniqueName();
      const first = await store.append(`${namespace}a`, [anEvent({ type }), anEvent()], 'no-stream');
      const second = await store.append(`${namespace}b`, [anEvent({ type: `${type}Longer` }), anEvent({ type })], 'no-stream');

      expect(await store.readAll({ types: [type] })).toEqual([first.events[0], second.events[1]]);
      expect(await store.readAll({ types: [type.slice(0, -1)] })).toEqual([]);
    });

    it('delivers only events of the listed type, strictly after the given position, to a subscriber', async () => {
      const type = aUniqueName();
      const before = await store.append(`${namespace}a`, [anEvent({ type })], 'no-stream');
      const subscription = store.subscribe({ after: before.position, types: [type] });
      try {
        const later = await store.append(`${namespace}a`, [anEvent(), anEvent({ type })], 0n);

        const seen: StoredEvent[] = [];
        for await (const event of subscription) {
          seen.push(event);
          break;
        }

        expect(seen).toEqual([later.events[1]]);
      } finally {
        subscription.close();
      }
    });
  });
}
