import canonicalize from 'canonicalize';
import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  EventIdConflictError,
  EventStore,
  EventSubscription,
  NewEvent,
  StoredEvent,
  WrongExpectedVersionError,
} from '../../src/event-store/event-store.port';

/** One fresh, empty store per test, with a clock the test sets. */
export type EventStoreUnderTest = {
  store: EventStore;
  setNow(ms: number): void;
  close(): Promise<void>;
};

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const T0 = Date.parse('2031-05-06T07:08:09.123Z');
const HOUR = 3_600_000;

function anEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'ClaimReported',
    data: { claimId: randomUUID(), text: 'a claim' },
    metadata: { schemaVersion: 1, correlationId: randomUUID(), causationId: randomUUID(), actor: 'contract-test' },
    ...overrides,
  };
}

function events(count: number, overrides: Partial<NewEvent> = {}): NewEvent[] {
  return Array.from({ length: count }, () => anEvent(overrides));
}

function positionsOf(stored: readonly { position: bigint }[]): bigint[] {
  return stored.map((event) => event.position);
}

function range(from: bigint, to: bigint): bigint[] {
  const out: bigint[] = [];
  for (let p = from; p <= to; p++) out.push(p);
  return out;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The next `count` events of an iterator, failing when they do not come within `timeoutMs`. */
async function nextEvents<E = StoredEvent>(iterator: AsyncIterator<E>, count: number, timeoutMs = 5_000): Promise<E[]> {
  const seen: E[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`got ${seen.length} of ${count} events within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    while (seen.length < count) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) throw new Error(`subscription ended after ${seen.length} of ${count} events`);
      seen.push(next.value);
    }
    return seen;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether the iterator yields anything (or ends) within `ms`: 'nothing' when it stays quiet. */
async function quietFor(iterator: AsyncIterator<StoredEvent>, ms: number): Promise<'nothing' | 'event' | 'ended'> {
  let timer: NodeJS.Timeout | undefined;
  const quiet = new Promise<'nothing'>((resolve) => (timer = setTimeout(() => resolve('nothing'), ms)));
  const pending = iterator.next().then((next) => (next.done ? 'ended' : 'event') as 'event' | 'ended');
  try {
    return await Promise.race([pending, quiet]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What an adapter cannot promise, so that the suite checks the weaker property it does promise.
 * Every flag defaults to the strict behaviour; the embedded stores run with none set.
 */
export type EventStoreCapabilities = Readonly<{
  /** Positions are 1, 2, 3, ... When false (KurrentDB), positions are checked by order, as the n-th event's position. */
  gapFreePositions?: boolean;
  /**
   * Each test's store starts empty. When false (a shared server), the factory shows each test only
   * its own streams, and `headPosition()` is the shared log's head, unchanged until the test appends.
   */
  emptyAtStart?: boolean;
  /** `recordedAt` follows `setNow`. When false, the store's own clock is used (KurrentDB: the server's). */
  settableClock?: boolean;
  /** A stored event id appended to another stream is refused with EventIdConflictError. */
  eventIdsUniqueAcrossStreams?: boolean;
}>;

/** The position of the n-th event (1-based) of a test's log; 0 is "before the log". */
type Ordinals = ((n: number) => bigint) & {
  range(from: number, to: number): bigint[];
  of(...ns: number[]): bigint[];
};

function ordinals(at: (n: number) => bigint): Ordinals {
  return Object.assign(at, {
    range: (from: number, to: number) => range(BigInt(from), BigInt(to)).map((n) => at(Number(n))),
    of: (...ns: number[]) => ns.map(at),
  });
}

/**
 * The behaviour every {@link EventStore} adapter must show. `factory` opens a fresh, empty store
 * whose clock is set by `setNow`; `close` closes it and discards its data. `capabilities` relaxes
 * what an adapter cannot promise (see {@link EventStoreCapabilities}).
 */
export function describeEventStoreContract(
  name: string,
  factory: () => Promise<EventStoreUnderTest>,
  capabilities: EventStoreCapabilities = {},
): void {
  const { gapFreePositions = true, emptyAtStart = true, settableClock = true, eventIdsUniqueAcrossStreams = true } = capabilities;
  /** Positions are exactly 1..N of the test's own log. */
  const numbered = gapFreePositions && emptyAtStart;
  const itWithSettableClock = settableClock ? it : it.skip;
  const itWithUniqueEventIds = eventIdsUniqueAcrossStreams ? it : it.skip;

  describe(`${name} event store (contract)`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;
    const subscriptions: EventSubscription<unknown>[] = [];
    let closed: Promise<void> | undefined;
    /** The head position before the test appended anything. */
    let emptyHead: bigint;

    function subscribe(...args: Parameters<EventStore['subscribe']>): EventSubscription {
      const subscription = store.subscribe(...args);
      subscriptions.push(subscription);
      return subscription;
    }

    /** The log holds exactly `count` events: a failed or repeated append added none. */
    async function expectLogLength(count: number): Promise<void> {
      const all = await store.readAll();
      expect(await store.headPosition()).toBe(numbered ? BigInt(count) : (all.at(-1)?.position ?? emptyHead));
      expect(all).toHaveLength(count);
    }

    /** The positions of this test's log by ordinal: n itself when numbered, else read (and checked increasing). */
    async function nth(): Promise<Ordinals> {
      if (numbered) return ordinals((n) => BigInt(n));
      const positions = positionsOf(await store.readAll());
      expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(positions).size).toBe(positions.length);
      return ordinals((n) => {
        if (n === 0) return 0n;
        if (n > positions.length) throw new Error(`the log has ${positions.length} events, not ${n}`);
        return positions[n - 1];
      });
    }

    /** Closes the store once, whether a test or the clean-up asks first. */
    function closeStore(): Promise<void> {
      closed ??= subject.close();
      return closed;
    }

    beforeEach(async () => {
      closed = undefined;
      subject = await factory();
      store = subject.store;
      subject.setNow(T0);
      emptyHead = emptyAtStart ? 0n : await store.headPosition();
    });

    afterEach(async () => {
      for (const subscription of subscriptions.splice(0)) subscription.close();
      await closeStore();
    });

    describe('expected versions', () => {
      it("appends to a stream that does not exist yet when 'no-stream' is expected", async () => {
        const result = await store.append('development-1', events(2), 'no-stream');

        expect(result.streamVersion).toBe(1n);
        expect((await store.readStream('development-1')).map((e) => e.streamVersion)).toEqual([0n, 1n]);
      });

      it("rejects 'no-stream' for an existing stream with WrongExpectedVersionError and appends nothing", async () => {
        await store.append('development-1', events(1), 'no-stream');

        const error = await rejectionOf(store.append('development-1', events(2), 'no-stream'));

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamId: 'development-1', expected: 'no-stream', actual: 0n, code: 'VERSION_CONFLICT' });
        await expectLogLength(1);
      });

      it("appends after the last version of an existing stream when 'stream-exists' is expected", async () => {
        await store.append('development-1', events(2), 'no-stream');

        const result = await store.append('development-1', events(1), 'stream-exists');

        expect(result.streamVersion).toBe(2n);
        expect(result.events.map((e) => e.streamVersion)).toEqual([2n]);
      });

      it("rejects 'stream-exists' for a missing stream, naming actual 'no-stream', and appends nothing", async () => {
        await store.append('development-2', events(1), 'no-stream');

        const error = await rejectionOf(store.append('development-1', events(1), 'stream-exists'));

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamId: 'development-1', expected: 'stream-exists', actual: 'no-stream' });
        expect(await store.readStream('development-1')).toEqual([]);
        await expectLogLength(1);
      });

      it("appends with 'any' whether or not the stream exists", async () => {
        const created = await store.append('development-1', events(1), 'any');
        const extended = await store.append('development-1', events(2), 'any');

        expect(created.streamVersion).toBe(0n);
        expect(extended.streamVersion).toBe(2n);
        expect(await store.readStream('development-1')).toHaveLength(3);
      });

      it('appends when the exact last version of the stream is expected', async () => {
        await store.append('development-1', events(2), 'no-stream');

        const result = await store.append('development-1', events(1), 1n);

        expect(result.streamVersion).toBe(2n);
      });

      it.each<[string, bigint]>([
        ['stale', 0n],
        ['future', 5n],
      ])('rejects a %s exact version with WrongExpectedVersionError naming the actual version, and appends nothing', async (_, expected) => {
        await store.append('development-1', events(2), 'no-stream');

        const error = await rejectionOf(store.append('development-1', events(3), expected));

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamId: 'development-1', expected, actual: 1n });
        await expectLogLength(2);
      });

      it("rejects an exact version for a missing stream, naming actual 'no-stream'", async () => {
        const error = await rejectionOf(store.append('development-1', events(1), 0n));

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamId: 'development-1', expected: 0n, actual: 'no-stream' });
        await expectLogLength(0);
      });

      it('lets exactly one of several concurrent appends expecting the same version succeed', async () => {
        await store.append('development-1', events(1), 'no-stream');

        const outcomes = await Promise.allSettled(
          Array.from({ length: 5 }, () => store.append('development-1', events(2), 0n)),
        );

        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
          expect(outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
        }
        expect((await store.readStream('development-1')).map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
      });
    });

    describe('stream versions and atomicity', () => {
      it('numbers a stream from version 0 contiguously across appends of different sizes', async () => {
        const results: AppendResult[] = [];
        for (const size of [1, 3, 2]) results.push(await store.append('development-1', events(size), 'any'));

        expect(results.map((r) => r.streamVersion)).toEqual([0n, 3n, 5n]);
        expect((await store.readStream('development-1')).map((e) => e.streamVersion)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
      });

      it('numbers each stream independently of the others', async () => {
        await store.append('development-1', events(2), 'no-stream');
        await store.append('source-1', events(1), 'no-stream');
        await store.append('development-1', events(1), 1n);

        expect((await store.readStream('source-1')).map((e) => e.streamVersion)).toEqual([0n]);
        expect((await store.readStream('development-1')).map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
      });

      it('returns from append exactly the events it stored, with the last version and position', async () => {
        await store.append('source-1', events(1), 'no-stream');
        const appended = events(3);

        const result = await store.append('development-1', appended, 'no-stream');

        expect(result.events).toEqual(await store.readStream('development-1'));
        expect(result.events.map((e) => e.eventId)).toEqual(appended.map((e) => e.eventId));
        expect(result.events.map((e) => e.streamId)).toEqual(['development-1', 'development-1', 'development-1']);
        expect(result.streamVersion).toBe(2n);
        expect(result.position).toBe((await nth())(4));
      });

      itWithUniqueEventIds('appends none of a batch whose event id is already stored for another stream', async () => {
        const taken = anEvent();
        await store.append('source-1', [taken], 'no-stream');

        const error = await rejectionOf(store.append('development-1', [anEvent(), anEvent(), taken], 'any'));

        expect(error).toBeInstanceOf(EventIdConflictError);
        expect(error).toMatchObject({ eventId: taken.eventId, code: 'EVENT_ID_CONFLICT' });
        expect(await store.readStream('development-1')).toEqual([]);
        await expectLogLength(1);
      });

      it('appends none of a batch that repeats an event id within itself', async () => {
        await store.append('source-1', events(1), 'no-stream');
        const repeated = anEvent();

        const error = await rejectionOf(store.append('development-1', [anEvent(), repeated, anEvent(), { ...repeated }], 'any'));

        expect(error).toBeInstanceOf(EventIdConflictError);

        expect(await store.readStream('development-1')).toEqual([]);
        await expectLogLength(1);
      });

      it(
        gapFreePositions
          ? 'leaves no gap in positions or versions after a failed append'
          : 'leaves no event in the log and no gap in versions after a failed append',
        async () => {
          await store.append('development-1', events(2), 'no-stream');
          await expect(store.append('development-1', events(3), 'no-stream')).rejects.toBeInstanceOf(WrongExpectedVersionError);

          const result = await store.append('development-1', events(1), 1n);

          const p = await nth();
          expect(result.position).toBe(p(3));
          expect(result.streamVersion).toBe(2n);
          expect(positionsOf(await store.readAll())).toEqual(p.of(1, 2, 3));
        },
      );
    });

    describe('positions', () => {
      it(emptyAtStart ? 'has head position 0 and no events when empty' : 'has no events, and an unchanged head position, when empty', async () => {
        expect(await store.headPosition()).toBe(emptyHead);
        expect(await store.readAll()).toEqual([]);
      });

      it(
        gapFreePositions
          ? 'assigns global positions from 1, strictly increasing and gap-free across streams'
          : 'assigns global positions strictly increasing in commit order across streams',
        async () => {
          const results: AppendResult[] = [];
          results.push(await store.append('development-1', events(2), 'no-stream'));
          results.push(await store.append('source-1', events(1), 'no-stream'));
          results.push(await store.append('development-2', events(3), 'no-stream'));
          results.push(await store.append('development-1', events(1), 1n));

          const p = await nth();
          expect(results.flatMap((r) => positionsOf(r.events))).toEqual(p.range(1, 7));
          expect(results.map((r) => r.position)).toEqual(p.of(2, 3, 6, 7));
          expect(positionsOf(await store.readAll())).toEqual(p.range(1, 7));
        },
      );

      it('reports the position of the last appended event as head position', async () => {
        await store.append('development-1', events(2), 'no-stream');
        expect(await store.headPosition()).toBe((await nth())(2));

        const result = await store.append('source-1', events(3), 'no-stream');

        const p = await nth();
        expect(await store.headPosition()).toBe(p(5));
        expect(result.position).toBe(p(5));
      });

      it(`keeps positions ${gapFreePositions ? 'gap-free' : 'strictly increasing'} when many writers append concurrently`, async () => {
        await Promise.all(
          Array.from({ length: 4 }, (_, writer) =>
            (async () => {
              for (let i = 0; i < 10; i++) await store.append(`development-${writer}`, events(1 + (i % 3)), 'any');
            })(),
          ),
        );

        const all = await store.readAll();
        const p = await nth();
        expect(positionsOf(all)).toEqual(p.range(1, all.length));
        // Each writer appends batches of 1,2,3,1,2,3,1,2,3,1 events.
        expect(all).toHaveLength(4 * 19);
        expect(await store.headPosition()).toBe(p(all.length));
      });
    });

    describe('recordedAt', () => {
      it("records the store clock's time as an ISO 8601 UTC string", async () => {
        subject.setNow(T0);

        const result = await store.append('development-1', events(2), 'no-stream');

        for (const event of [...result.events, ...(await store.readAll())]) {
          expect(event.recordedAt).toMatch(ISO_UTC);
          if (settableClock) expect(Date.parse(event.recordedAt)).toBe(T0);
        }
      });

      itWithSettableClock('follows the clock forwards', async () => {
        subject.setNow(T0);
        await store.append('development-1', events(1), 'no-stream');
        subject.setNow(T0 + HOUR);

        const later = await store.append('development-1', events(1), 0n);

        expect(Date.parse(later.events[0].recordedAt)).toBe(T0 + HOUR);
      });

      it("never records a time earlier than the previous event's when the clock goes backwards", async () => {
        subject.setNow(T0 + HOUR);
        await store.append('development-1', events(1), 'no-stream');
        subject.setNow(T0);

        const sameStream = await store.append('development-1', events(2), 0n);
        const otherStream = await store.append('source-1', events(1), 'no-stream');

        for (const event of [...sameStream.events, ...otherStream.events]) {
          if (settableClock) expect(Date.parse(event.recordedAt)).toBeGreaterThanOrEqual(T0 + HOUR);
        }
        const recorded = (await store.readAll()).map((e) => Date.parse(e.recordedAt));
        expect(recorded).toEqual([...recorded].sort((a, b) => a - b));
      });

      itWithSettableClock('follows the clock again once it has passed the last recorded time', async () => {
        subject.setNow(T0 + HOUR);
        await store.append('development-1', events(1), 'no-stream');
        subject.setNow(T0);
        await store.append('development-1', events(1), 'any');
        subject.setNow(T0 + 2 * HOUR);

        const result = await store.append('development-1', events(1), 'any');

        expect(Date.parse(result.events[0].recordedAt)).toBe(T0 + 2 * HOUR);
      });
    });

    describe('idempotency by event id', () => {
      it('returns the original result and appends nothing when the same events are appended to the same stream again', async () => {
        const batch = events(2);
        subject.setNow(T0);
        const original = await store.append('development-1', batch, 'no-stream');
        await store.append('development-1', events(1), 'stream-exists');
        await store.append('source-1', events(1), 'no-stream');
        subject.setNow(T0 + HOUR);

        const retried = await store.append('development-1', batch, 'no-stream');

        expect(retried).toEqual(original);
        expect(retried.position).toBe((await nth())(2));
        expect(retried.streamVersion).toBe(1n);
        await expectLogLength(4);
        expect((await store.readStream('development-1')).map((e) => e.eventId)).toHaveLength(3);
      });

      it('returns the original position of a single event appended again after other appends', async () => {
        await store.append('source-1', events(1), 'no-stream');
        const event = anEvent();
        const original = await store.append('development-1', [event], 'any');
        await store.append('development-1', events(2), 'any');

        const retried = await store.append('development-1', [event], 'any');

        expect(retried.position).toBe((await nth())(2));
        expect(retried.streamVersion).toBe(0n);
        expect(retried.events).toEqual(original.events);
        await expectLogLength(4);
      });

      itWithUniqueEventIds('raises EventIdConflictError and appends nothing when an event id is reused for a different stream', async () => {
        const event = anEvent();
        await store.append('development-1', [event], 'no-stream');

        const error = await rejectionOf(store.append('development-2', [event], 'any'));

        expect(error).toBeInstanceOf(EventIdConflictError);
        expect(error).toMatchObject({ eventId: event.eventId });
        expect(await store.readStream('development-2')).toEqual([]);
        await expectLogLength(1);
      });

      it('raises EventIdConflictError and appends nothing when an event id is reused for a different type', async () => {
        const event = anEvent({ type: 'ClaimReported' });
        await store.append('development-1', [event], 'no-stream');

        const error = await rejectionOf(store.append('development-1', [{ ...event, type: 'ClaimRetracted' }], 'any'));

        expect(error).toBeInstanceOf(EventIdConflictError);
        expect(error).toMatchObject({ eventId: event.eventId });
        await expectLogLength(1);
        expect((await store.readStream('development-1'))[0].type).toBe('ClaimReported');
      });

      it('raises EventIdConflictError and appends nothing when stored events are appended again in another order', async () => {
        const [first, second] = events(2);
        await store.append('development-1', [first, second], 'no-stream');

        await expect(store.append('development-1', [second, first], 'any')).rejects.toBeInstanceOf(EventIdConflictError);

        await expectLogLength(2);
      });
    });

    describe('data and metadata', () => {
      it('reads data and metadata back exactly as appended: nested objects, unicode and numbers', async () => {
        const data = {
          text: 'Ünïcödé — 日本語 — עברית — 👩🏽‍🔬 — e\u0301 — tab\there — line\u2028separator — "quoted" \\ backslash',
          numbers: { zero: 0, negative: -17, float: 0.1 + 0.2, big: 1e300, tiny: 5e-324, maxSafe: Number.MAX_SAFE_INTEGER, minSafe: Number.MIN_SAFE_INTEGER },
          nested: { deeper: { deepest: [1, 'two', { three: [true, false, null] }] }, empty: {}, emptyList: [] },
          '🔑 ключ': 'unicode key',
          '%_like': 'not a pattern',
        };
        const metadata = { schemaVersion: 3, correlationId: randomUUID(), causationId: randomUUID(), actor: 'Zoë <zoe@example.org>' };
        const event = anEvent({ data, metadata, type: 'DevelopmentCorrected' });

        const result = await store.append('development-1', [event], 'no-stream');
        const [fromStream] = await store.readStream('development-1');
        const [fromLog] = await store.readAll();

        for (const stored of [result.events[0], fromStream, fromLog]) {
          expect(stored.data).toStrictEqual(data);
          expect(stored.metadata).toStrictEqual(metadata);
          expect(stored.type).toBe('DevelopmentCorrected');
          expect(stored.eventId).toBe(event.eventId);
        }
      });

      it('keeps stored data, and the result of the append, unaffected by later changes to the appended objects', async () => {
        const data = { list: [1, 2], nested: { value: 'before' } };
        const appended = anEvent({ data });
        const result = await store.append('development-1', [appended], 'no-stream');

        data.list.push(3);
        data.nested.value = 'after';
        (appended.metadata as { actor: string }).actor = 'someone else';

        const [stored] = await store.readStream('development-1');
        expect(stored.data).toStrictEqual({ list: [1, 2], nested: { value: 'before' } });
        expect(result.events[0].data).toStrictEqual({ list: [1, 2], nested: { value: 'before' } });
        expect(result.events[0].metadata).toStrictEqual(stored.metadata);
        expect(result.events[0].metadata.actor).not.toBe('someone else');
        expect(result.events[0].data).toBe(result.events[0].data);
      });
    });

    describe('the log as stored text', () => {
      it('reads the same events through readAllText, data and metadata as RFC 8785 canonical JSON text', async () => {
        const data = { zeta: 1, alpha: { beta: [3, 'ünï 😀'], aardvark: 1e21 }, big: 0.1 + 0.2, quote: '"\\\n\u2028' };
        await store.append('development-1', [anEvent({ data })], 'no-stream');
        await store.append('source-1', events(2, { type: 'SourceRegistered' }), 'no-stream');
        const parsed = await store.readAll();
        const text = await store.readAllText();

        expect(text.map(({ data: d, metadata: m, ...rest }) => ({ ...rest, data: JSON.parse(d), metadata: JSON.parse(m) }))).toEqual(parsed);
        for (const event of text) {
          expect(event.data).toBe(canonicalize(JSON.parse(event.data)));
          expect(event.metadata).toBe(canonicalize(JSON.parse(event.metadata)));
        }
        expect(text[0].data).toBe('{"alpha":{"aardvark":1e+21,"beta":[3,"ünï 😀"]},"big":0.30000000000000004,"quote":"\\"\\\\\\n\u2028","zeta":1}');
      });

      it('applies after, limit, types and stream prefix to readAllText as readAll does', async () => {
        await store.append('development-1', events(3, { type: 'DevelopmentRecorded' }), 'no-stream');
        await store.append('source-1', events(2, { type: 'SourceRegistered' }), 'no-stream');
        const options = { after: (await nth())(1), limit: 3, types: ['DevelopmentRecorded', 'SourceRegistered'], streamPrefix: 'development-' };

        expect(positionsOf(await store.readAllText(options))).toEqual(positionsOf(await store.readAll(options)));
        expect(positionsOf(await store.readAllText(options))).toEqual((await nth()).of(2, 3));
      });

      it('yields through subscribeText what readAllText reads, caught up and live', async () => {
        await store.append('development-1', events(2), 'no-stream');
        const subscription = store.subscribeText({ streamPrefix: 'development-' });
        subscriptions.push(subscription);
        const iterator = subscription[Symbol.asyncIterator]();
        const caughtUp = await nextEvents(iterator, 2);
        await store.append('source-1', events(1), 'no-stream');
        await store.append('development-1', events(1), 1n);
        const live = await nextEvents(iterator, 1);

        expect([...caughtUp, ...live]).toEqual(await store.readAllText({ streamPrefix: 'development-' }));
      });

      it('catches up through subscribeText at once over a log many times larger than one page of text', async () => {
        // 1 MB in 40 events: pages bounded in bytes end long before the head, and none may wait for a poll.
        await store.append('development-1', events(40, { data: { text: 'x'.repeat(25_000) } }), 'no-stream');
        const subscription = store.subscribeText();
        subscriptions.push(subscription);
        const caughtUp = await nextEvents(subscription[Symbol.asyncIterator](), 40, 2_000);

        expect(positionsOf(caughtUp)).toEqual((await nth()).range(1, 40));
      });
    });

    describe('readStream', () => {
      it("returns a stream's events in version order and no other stream's", async () => {
        const a = await store.append('development-1', events(2), 'no-stream');
        await store.append('development-2', events(2), 'no-stream');
        const b = await store.append('development-1', events(2), 1n);

        const stream = await store.readStream('development-1');

        expect(stream.map((e) => e.streamVersion)).toEqual([0n, 1n, 2n, 3n]);
        expect(stream.map((e) => e.eventId)).toEqual([...a.events, ...b.events].map((e) => e.eventId));
        expect(stream.every((e) => e.streamId === 'development-1')).toBe(true);
      });

      it('returns only the events after a version when asked, and none after the last or for an unknown stream', async () => {
        const appended = await store.append('development-1', events(4), 'no-stream');
        await store.append('development-2', events(3), 'no-stream');

        const after = await store.readStream('development-1', { afterVersion: 1n });

        expect(after.map((e) => e.streamVersion)).toEqual([2n, 3n]);
        expect(after).toEqual((await store.readStream('development-1')).slice(2));
        expect(after.map((e) => e.eventId)).toEqual(appended.events.slice(2).map((e) => e.eventId));
        expect(await store.readStream('development-1', { afterVersion: 3n })).toEqual([]);
        expect(await store.readStream('development-9', { afterVersion: 0n })).toEqual([]);
      });

      it('returns an empty list for an unknown stream', async () => {
        await store.append('development-1', events(1), 'no-stream');

        expect(await store.readStream('development-2')).toEqual([]);
      });

      it('matches the stream id exactly, not as a prefix or pattern', async () => {
        await store.append('development-1', events(1), 'no-stream');
        await store.append('development-10', events(1), 'no-stream');
        await store.append('development_1', events(1), 'no-stream');
        await store.append('Development-1', events(1), 'no-stream');

        expect((await store.readStream('development-1')).map((e) => e.streamId)).toEqual(['development-1']);
        expect(await store.readStream('development-%')).toEqual([]);
      });
    });

    describe('readAll', () => {
      /** Positions 1..8: two sources and two developments, with three event types. */
      async function aSmallLog(): Promise<StoredEvent[]> {
        await store.append('source-1', events(1, { type: 'SourceRegistered' }), 'no-stream');
        await store.append('development-1', events(1, { type: 'DevelopmentRecorded' }), 'no-stream');
        await store.append('development-1', events(2, { type: 'ClaimReported' }), 0n);
        await store.append('source-2', events(1, { type: 'SourceRegistered' }), 'no-stream');
        await store.append('development-2', events(1, { type: 'DevelopmentRecorded' }), 'no-stream');
        await store.append('development-2', events(1, { type: 'ClaimReported' }), 0n);
        await store.append('development-1', events(1, { type: 'ClaimReported' }), 2n);
        return store.readAll();
      }

      it('returns every event in position order', async () => {
        const all = await aSmallLog();

        expect(positionsOf(all)).toEqual((await nth()).range(1, 8));
        expect(all.map((e) => e.streamId)).toEqual([
          'source-1',
          'development-1',
          'development-1',
          'development-1',
          'source-2',
          'development-2',
          'development-2',
          'development-1',
        ]);
      });

      it('returns only events after the given position', async () => {
        await aSmallLog();
        const p = await nth();

        expect(positionsOf(await store.readAll({ after: p(5) }))).toEqual(p.of(6, 7, 8));
        expect(positionsOf(await store.readAll({ after: 0n }))).toEqual(p.range(1, 8));
        expect(await store.readAll({ after: p(8) })).toEqual([]);
        // Only numbered positions make any number a position; KurrentDB refuses offsets it did not return.
        if (numbered) expect(await store.readAll({ after: 100n })).toEqual([]);
      });

      it('returns at most limit events, the earliest first, so that pages cover the log once', async () => {
        await aSmallLog();
        const p = await nth();

        expect(positionsOf(await store.readAll({ limit: 3 }))).toEqual(p.of(1, 2, 3));
        const paged: bigint[] = [];
        let after = 0n;
        // Bounded: a store that ignored `after` would otherwise page for ever.
        for (let pages = 0; pages < 5; pages++) {
          const page = await store.readAll({ after, limit: 3 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(3);
          paged.push(...positionsOf(page));
          after = page[page.length - 1].position;
        }
        expect(paged).toEqual(p.range(1, 8));
      });

      it('stops a page before maxBytes of data and metadata text, yet always reads the first event, so byte-bounded pages cover the log once', async () => {
        // Each event's text is ~1,100 bytes (é is two in UTF-8): three fit in 3,500 bytes, four do not.
        const sized = (n: number) => events(n, { data: { text: 'é'.repeat(500) } });
        await store.append('development-1', sized(8), 'no-stream');
        const p = await nth();
        const [one] = await store.readAllText({ limit: 1 });
        const bytes = Buffer.byteLength(one.data) + Buffer.byteLength(one.metadata);
        expect(bytes).toBeGreaterThan(3500 / 4);
        expect(bytes).toBeLessThanOrEqual(3500 / 3);

        expect(positionsOf(await store.readAll({ maxBytes: 3500 }))).toEqual(p.of(1, 2, 3));
        expect(positionsOf(await store.readAllText({ maxBytes: 3500, after: p(6) }))).toEqual(p.of(7, 8));
        expect(positionsOf(await store.readAllText({ maxBytes: 10 }))).toEqual(p.of(1));
        expect(positionsOf(await store.readAllText({ maxBytes: 1_000_000, limit: 2 }))).toEqual(p.of(1, 2));
        const paged: bigint[] = [];
        let after = 0n;
        for (let pages = 0; pages < 10; pages++) {
          const page = await store.readAllText({ after, maxBytes: 3500 });
          if (page.length === 0) break;
          paged.push(...positionsOf(page));
          after = page[page.length - 1].position;
        }
        expect(paged).toEqual(p.range(1, 8));
      });

      it('returns only events of the listed types, and every type when the list is empty', async () => {
        await aSmallLog();
        const p = await nth();

        expect(positionsOf(await store.readAll({ types: ['SourceRegistered'] }))).toEqual(p.of(1, 5));
        expect(positionsOf(await store.readAll({ types: ['DevelopmentRecorded', 'SourceRegistered'] }))).toEqual(p.of(1, 2, 5, 6));
        expect(await store.readAll({ types: ['NoSuchType'] })).toEqual([]);
        expect(positionsOf(await store.readAll({ types: [] }))).toEqual(p.range(1, 8));
      });

      it('returns only events of streams whose id starts with the prefix, case-sensitively', async () => {
        await aSmallLog();
        const p = await nth();

        expect(positionsOf(await store.readAll({ streamPrefix: 'source-' }))).toEqual(p.of(1, 5));
        expect(positionsOf(await store.readAll({ streamPrefix: 'development-2' }))).toEqual(p.of(6, 7));
        expect(await store.readAll({ streamPrefix: 'Source-' })).toEqual([]);
        expect(await store.readAll({ streamPrefix: 'ource-' })).toEqual([]);
        expect(positionsOf(await store.readAll({ streamPrefix: '' }))).toEqual(p.range(1, 8));
      });

      it('matches % and _ in a stream prefix literally, not as wildcards', async () => {
        await store.append('odd%stream-1', events(1), 'no-stream');
        await store.append('oddXstream-1', events(1), 'no-stream');
        await store.append('odd_stream-1', events(1), 'no-stream');
        await store.append('oddYstream-1', events(1), 'no-stream');
        await store.append('odd\\stream-1', events(1), 'no-stream');

        expect((await store.readAll({ streamPrefix: 'odd%' })).map((e) => e.streamId)).toEqual(['odd%stream-1']);
        expect((await store.readAll({ streamPrefix: 'odd_' })).map((e) => e.streamId)).toEqual(['odd_stream-1']);
        expect((await store.readAll({ streamPrefix: 'odd\\' })).map((e) => e.streamId)).toEqual(['odd\\stream-1']);
        expect(await store.readAll({ streamPrefix: '%' })).toEqual([]);
        expect(await store.readAll({ streamPrefix: '_' })).toEqual([]);
      });

      it('matches a stream prefix with characters outside the Basic Multilingual Plane literally', async () => {
        await store.append('tag-😀-1', events(1), 'no-stream');
        await store.append('tag-😀x-1', events(1), 'no-stream');
        await store.append('tag-é-1', events(1), 'no-stream');

        expect((await store.readAll({ streamPrefix: 'tag-😀' })).map((e) => e.streamId)).toEqual(['tag-😀-1', 'tag-😀x-1']);
        expect((await store.readAll({ streamPrefix: 'tag-😀-' })).map((e) => e.streamId)).toEqual(['tag-😀-1']);
        expect((await store.readAll({ streamPrefix: 'tag-é' })).map((e) => e.streamId)).toEqual(['tag-é-1']);
      });

      it('applies after, limit, types and stream prefix together', async () => {
        await aSmallLog();
        const p = await nth();

        expect(positionsOf(await store.readAll({ after: p(2), types: ['ClaimReported'], streamPrefix: 'development-1' }))).toEqual(p.of(3, 4, 8));
        expect(positionsOf(await store.readAll({ after: p(2), limit: 2, types: ['ClaimReported'], streamPrefix: 'development-' }))).toEqual(p.of(3, 4));
        expect(positionsOf(await store.readAll({ after: p(4), limit: 1, types: ['ClaimReported', 'DevelopmentRecorded'], streamPrefix: 'development-' }))).toEqual(p.of(6));
        expect(await store.readAll({ types: ['SourceRegistered'], streamPrefix: 'development-' })).toEqual([]);
      });
    });

    describe('subscribe', () => {
      it('catches up from the start and then delivers events appended later', async () => {
        await store.append('development-1', events(3), 'no-stream');
        const iterator = subscribe()[Symbol.asyncIterator]();

        const caughtUp = await nextEvents(iterator, 3);
        const appendedLater = store.append('development-2', events(2), 'no-stream');
        const live = await nextEvents(iterator, 2);

        const p = await nth();
        expect(positionsOf(caughtUp)).toEqual(p.of(1, 2, 3));
        expect(positionsOf(live)).toEqual(p.of(4, 5));
        expect(live).toEqual((await appendedLater).events);
      });

      it('starts with the first event after the given position', async () => {
        await store.append('development-1', events(5), 'no-stream');
        const p = await nth();
        const iterator = subscribe({ after: p(3) })[Symbol.asyncIterator]();

        expect(positionsOf(await nextEvents(iterator, 2))).toEqual(p.of(4, 5));
        await store.append('development-1', events(1), 'stream-exists');
        const seen = await nextEvents(iterator, 1);
        expect(positionsOf(seen)).toEqual((await nth()).of(6));
      });

      it('delivers events appended to an empty store to a subscriber that is already waiting', async () => {
        const iterator = subscribe()[Symbol.asyncIterator]();
        const first = nextEvents(iterator, 2);

        await store.append('development-1', events(2), 'no-stream');

        const seen = await first;
        expect(positionsOf(seen)).toEqual((await nth()).of(1, 2));
      });

      it('yields the same events as readAll, data included', async () => {
        await store.append('development-1', [anEvent({ data: { text: 'ünï 😀', n: 1.5, nested: { a: [null] } } })], 'no-stream');
        const iterator = subscribe()[Symbol.asyncIterator]();

        expect(await nextEvents(iterator, 1)).toEqual(await store.readAll());
      });

      it('applies types and stream prefix filters to caught-up and live events alike', async () => {
        await store.append('development-1', events(1, { type: 'DevelopmentRecorded' }), 'no-stream');
        await store.append('development-1', events(1, { type: 'ClaimReported' }), 0n);
        await store.append('source-1', events(1, { type: 'ClaimReported' }), 'no-stream');
        const byType = subscribe({ types: ['ClaimReported'] })[Symbol.asyncIterator]();
        const byPrefix = subscribe({ streamPrefix: 'development-' })[Symbol.asyncIterator]();
        const both = subscribe({ types: ['ClaimReported'], streamPrefix: 'development-' })[Symbol.asyncIterator]();
        const p = await nth();

        expect(positionsOf(await nextEvents(byType, 2))).toEqual(p.of(2, 3));
        expect(positionsOf(await nextEvents(byPrefix, 2))).toEqual(p.of(1, 2));
        expect(positionsOf(await nextEvents(both, 1))).toEqual(p.of(2));

        await store.append('source-2', events(1, { type: 'SourceRegistered' }), 'no-stream');
        await store.append('development-2', events(1, { type: 'DevelopmentRecorded' }), 'no-stream');
        await store.append('source-2', events(1, { type: 'ClaimReported' }), 0n);
        await store.append('development-2', events(1, { type: 'ClaimReported' }), 0n);
        const q = await nth();

        expect(positionsOf(await nextEvents(byType, 2))).toEqual(q.of(6, 7));
        expect(positionsOf(await nextEvents(byPrefix, 2))).toEqual(q.of(5, 7));
        expect(positionsOf(await nextEvents(both, 1))).toEqual(q.of(7));
      });

      it('matches % and _ in a subscription stream prefix literally', async () => {
        await store.append('odd_stream-1', events(1), 'no-stream');
        await store.append('oddXstream-1', events(1), 'no-stream');
        await store.append('odd%stream-1', events(1), 'no-stream');
        const iterator = subscribe({ streamPrefix: 'odd_' })[Symbol.asyncIterator]();

        expect((await nextEvents(iterator, 1)).map((e) => e.streamId)).toEqual(['odd_stream-1']);
        await store.append('oddZstream-1', events(1), 'no-stream');
        await store.append('odd_stream-2', events(1), 'no-stream');
        expect((await nextEvents(iterator, 1)).map((e) => e.streamId)).toEqual(['odd_stream-2']);
      });

      it('ends the iteration of a subscriber that is waiting for events when closed', async () => {
        await store.append('development-1', events(1), 'no-stream');
        const subscription = subscribe();
        const seen: StoredEvent[] = [];
        const iteration = (async () => {
          for await (const event of subscription) {
            seen.push(event);
            if (seen.length > 1) return 'yielded an unexpected event';
          }
          return 'ended';
        })();
        await waitUntil(() => seen.length === 1);

        subscription.close();

        await expect(withTimeout(iteration, 2_000)).resolves.toBe('ended');
        await store.append('development-1', events(1), 'stream-exists');
        expect(seen).toHaveLength(1);
      });

      it('yields nothing more after close, even for events already stored', async () => {
        await store.append('development-1', events(3), 'no-stream');
        const subscription = subscribe();
        const iterator = subscription[Symbol.asyncIterator]();
        await nextEvents(iterator, 1);

        subscription.close();

        expect(await withTimeout(iterator.next(), 2_000)).toEqual({ done: true, value: undefined });
      });

      it('keeps two subscribers independent: each sees every event, and closing one leaves the other running', async () => {
        await store.append('development-1', events(2), 'no-stream');
        const first = subscribe();
        const firstIterator = first[Symbol.asyncIterator]();
        const secondIterator = subscribe()[Symbol.asyncIterator]();

        const p = await nth();

        expect(positionsOf(await nextEvents(firstIterator, 2))).toEqual(p.of(1, 2));
        expect(positionsOf(await nextEvents(secondIterator, 1))).toEqual(p.of(1));
        first.close();
        await store.append('development-1', events(1), 'stream-exists');

        const q = await nth();
        expect(positionsOf(await nextEvents(secondIterator, 2))).toEqual(q.of(2, 3));
        expect(await withTimeout(firstIterator.next(), 2_000)).toMatchObject({ done: true });
      });

      it('ends the iteration of a waiting subscriber, without an error, when the store is closed', async () => {
        await store.append('development-1', events(1), 'no-stream');
        const iterator = subscribe()[Symbol.asyncIterator]();
        await nextEvents(iterator, 1);
        const outcome = withTimeout(iterator.next(), 3_000).then(
          (next) => next,
          (error: unknown) => ({ rejectedWith: String(error) }),
        );

        await closeStore();

        expect(await outcome).toEqual({ done: true, value: undefined });
      });

      it('stays quiet while nothing matching is appended', async () => {
        await store.append('source-1', events(1), 'no-stream');
        const iterator = subscribe({ streamPrefix: 'development-' })[Symbol.asyncIterator]();

        expect(await quietFor(iterator, 200)).toBe('nothing');
      });

      it('delivers every event exactly once, in position order with no gap, while several writers append during catch-up', async () => {
        const WRITERS = 5;
        const TOTAL = 2_000;
        // Some history first, so the subscriber is mid catch-up when the writers start.
        for (let i = 0; i < 10; i++) await store.append(`source-${i}`, events(5), 'no-stream');
        const preloaded = 50;
        let appended = preloaded;
        const appendedIds = new Set((await store.readAll()).map((e) => e.eventId));

        const fast = subscribe();
        const slow = subscribe();
        const fromMiddle = subscribe({ after: (await nth())(25) });
        const reading = [
          readAllOf(fast, preloaded + TOTAL),
          readAllOf(slow, preloaded + TOTAL, true),
          readAllOf(fromMiddle, preloaded + TOTAL - 25),
        ];
        const writers = Array.from({ length: WRITERS }, (_, writer) =>
          (async () => {
            let i = 0;
            while (appended < preloaded + TOTAL) {
              const size = Math.min(1 + ((writer + i) % 4), preloaded + TOTAL - appended);
              appended += size;
              const batch = events(size);
              for (const event of batch) appendedIds.add(event.eventId);
              await store.append(`development-${writer}-${i % 7}`, batch, 'any');
              i++;
            }
          })(),
        );
        await Promise.all(writers);
        const [fastSeen, slowSeen, middleSeen] = await Promise.all(reading);

        const p = await nth();
        const expected = p.range(1, preloaded + TOTAL);
        expect(await store.headPosition()).toBe(p(preloaded + TOTAL));
        expect(positionsOf(fastSeen)).toEqual(expected);
        expect(positionsOf(slowSeen)).toEqual(expected);
        expect(positionsOf(middleSeen)).toEqual(expected.slice(25));
        expect(new Set(fastSeen.map((e) => e.eventId))).toEqual(appendedIds);
      });
    });
  });
}

/** Reads a subscription until it has `count` events, yielding to the event loop between events when `slow`. */
async function readAllOf(subscription: EventSubscription, count: number, slow = false): Promise<StoredEvent[]> {
  const seen: StoredEvent[] = [];
  const reading = (async () => {
    for await (const event of subscription) {
      seen.push(event);
      if (seen.length >= count) break;
      if (slow) await new Promise((resolve) => setImmediate(resolve));
    }
    return seen;
  })();
  return withTimeout(reading, 15_000, () => `after reading ${seen.length} of ${count} events`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, detail: () => string = () => ''): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${detail()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
