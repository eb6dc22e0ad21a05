import { randomUUID } from 'node:crypto';
import { Storage, openStorage } from '../../src/bootstrap/open-storage';
import { Pool } from 'pg';
import { AppendResult, NewEvent, StoredEvent, WrongExpectedVersionError } from '../../src/event-store/event-store.port';
import { Clock } from '../../src/platform/clock';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';
import { describeEventStoreContract } from './event-store.contract';

function aSettableClock(start = Date.parse('2030-01-01T00:00:00.000Z')) {
  let now = start;
  return { now: () => now, set: (ms: number) => (now = ms) };
}

async function aPostgresStore(url: string, clock: Clock = aSettableClock()): Promise<Storage> {
  return openStorage({ dataDir: '', eventStore: 'postgres', databaseUrl: url }, clock);
}

describeWithPostgres('PostgreSQL event store', () => {
  describeEventStoreContract('PostgreSQL', async () => {
    const schema = await aPostgresSchema();
    const clock = aSettableClock();
    const storage = await aPostgresStore(schema.url, clock);
    return {
      store: storage.eventStore,
      setNow: (ms) => clock.set(ms),
      async close() {
        await storage.close();
        await schema.drop();
      },
    };
  });

  describe('with appends queued while a transaction is in flight (group commit)', () => {
    let schema: Awaited<ReturnType<typeof aPostgresSchema>>;
    let storage: Storage;
    let inspect: Pool;

    beforeEach(async () => {
      schema = await aPostgresSchema();
      storage = await aPostgresStore(schema.url);
      inspect = new Pool({ connectionString: schema.url, max: 1 });
    });

    afterEach(async () => {
      await inspect.end();
      await storage.close();
      await schema.drop();
    });

    const anEvent = (): NewEvent => ({
      eventId: randomUUID(),
      type: 'ClaimReported',
      data: { text: 'a claim' },
      metadata: { schemaVersion: 1, correlationId: randomUUID(), causationId: randomUUID(), actor: 'group-commit-test' },
    });

    /** The transaction id that wrote each position: equal ids mean one transaction. */
    async function writersOf(): Promise<Map<bigint, string>> {
      const { rows } = await inspect.query<{ position: string; xmin: string }>('SELECT position, xmin::text FROM events ORDER BY position');
      return new Map(rows.map((row) => [BigInt(row.position), row.xmin]));
    }

    /** Starts `first`, then submits the others while it is in flight, so they share the next transaction. */
    function behindOneInFlight<T>(first: () => Promise<unknown>, queued: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
      const inFlight = first();
      return Promise.all([inFlight, Promise.allSettled(queued.map((append) => append()))]).then(([, settled]) => settled);
    }

    it('finds retried ids and versions by index even when the plans were made on an empty log without statistics', async () => {
      const client = await inspect.connect();
      try {
        const appendOne = (n: number) =>
          client.query('SELECT * FROM timeline_append_batch($1, $2::jsonb)', [
            1,
            JSON.stringify([{ stream: `development-${n % 3}`, expected: 'any', now: '2030-01-01T00:00:00.000Z', events: [{ ...anEvent(), data: '{}', metadata: '{}' }] }]),
          ]);
        await client.query('BEGIN');
        // The first calls plan every statement on the empty log; the connection keeps those plans.
        for (let n = 0; n < 300; n++) await appendOne(n);
        const { rows } = await client.query<{ seq_scan: string }>("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = 'events'::regclass");
        await client.query('COMMIT');

        expect(Number(rows[0].seq_scan)).toBe(0);
        expect((await storage.eventStore.readAll()).map((event) => event.position)).toEqual(Array.from({ length: 300 }, (_, i) => BigInt(i + 1)));
      } finally {
        client.release();
      }
    });

    it('fails only the appends of a shared transaction whose expected version does not hold, and they take no position', async () => {
      const store = storage.eventStore;
      const [created, conflicting, other, following, stale] = await behindOneInFlight(() => store.append('source-1', [anEvent()], 'no-stream'), [
        () => store.append('development-1', [anEvent(), anEvent()], 'no-stream'),
        () => store.append('development-1', [anEvent()], 'no-stream'),
        () => store.append('development-2', [anEvent()], 'no-stream'),
        () => store.append('development-1', [anEvent()], 1n),
        () => store.append('development-1', [anEvent()], 1n),
      ]);

      expect(created).toMatchObject({ status: 'fulfilled', value: { streamVersion: 1n, position: 3n } });
      expect(conflicting).toMatchObject({ status: 'rejected', reason: { streamId: 'development-1', expected: 'no-stream', actual: 1n } });
      expect((conflicting as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
      expect(other).toMatchObject({ status: 'fulfilled', value: { streamVersion: 0n, position: 4n } });
      expect(following).toMatchObject({ status: 'fulfilled', value: { streamVersion: 2n, position: 5n } });
      expect(stale).toMatchObject({ status: 'rejected', reason: { expected: 1n, actual: 2n } });
      expect((await store.readAll()).map((event) => event.position)).toEqual([1n, 2n, 3n, 4n, 5n]);
      const writers = await writersOf();
      expect(new Set([2n, 3n, 4n, 5n].map((position) => writers.get(position))).size).toBe(1);
      expect(writers.get(1n)).not.toBe(writers.get(2n));
    });

    it('decides queued appends to one stream with expected versions as if they ran one after another', async () => {
      const store = storage.eventStore;
      await store.append('development-1', [anEvent()], 'no-stream');
      const batches = [[anEvent()], [anEvent(), anEvent()], [anEvent()], [anEvent()]];

      const outcomes = await behindOneInFlight(() => store.append('source-1', [anEvent()], 'no-stream'), [
        () => store.append('development-1', batches[0], 0n),
        () => store.append('development-1', batches[1], 1n),
        () => store.append('development-1', batches[2], 3n),
        () => store.append('development-1', batches[3], 3n),
        () => store.append('development-1', batches[1], 1n),
      ]);

      expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.streamVersion : outcome.reason.name))).toEqual([
        1n,
        3n,
        4n,
        'WrongExpectedVersionError',
        3n,
      ]);
      // The last is a retry of the second, answered with its original result.
      expect((outcomes[4] as PromiseFulfilledResult<AppendResult>).value).toEqual((outcomes[1] as PromiseFulfilledResult<AppendResult>).value);
      const stream = await store.readStream('development-1');
      expect(stream.map((event) => event.streamVersion)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(stream.map((event) => event.eventId)).toEqual([stream[0].eventId, ...[...batches[0], ...batches[1], ...batches[2]].map((event) => event.eventId)]);
      expect((await store.readAll()).map((event) => event.position)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    });

    it('commits the appends still queued when the store is closed before it closes the pool', async () => {
      const closing = await aPostgresStore(schema.url);
      const appends = [closing.eventStore.append('source-1', [anEvent()], 'no-stream'), closing.eventStore.append('source-2', [anEvent()], 'no-stream')];

      await closing.close();

      await expect(Promise.all(appends)).resolves.toMatchObject([{ position: 1n }, { position: 2n }]);
      expect((await storage.eventStore.readAll()).map((event) => event.streamId)).toEqual(['source-1', 'source-2']);
    });

    it('fails only the append the server refuses when it shares a transaction with others', async () => {
      const store = storage.eventStore;
      // PostgreSQL text cannot hold NUL: the server refuses the batch as a whole.
      const [before, refused, after] = await behindOneInFlight(() => store.append('source-1', [anEvent()], 'no-stream'), [
        () => store.append('development-1', [anEvent()], 'no-stream'),
        () => store.append('development-\u0000', [anEvent()], 'no-stream'),
        () => store.append('development-2', [anEvent()], 'no-stream'),
      ]);

      expect(before).toMatchObject({ status: 'fulfilled', value: { position: 2n } });
      expect(refused.status).toBe('rejected');
      expect((refused as PromiseRejectedResult).reason).not.toBeInstanceOf(WrongExpectedVersionError);
      expect(after).toMatchObject({ status: 'fulfilled', value: { position: 3n } });
      expect((await store.readAll()).map((event) => event.streamId)).toEqual(['source-1', 'development-1', 'development-2']);
    });
  });

  describe('with concurrent writers on separate connections', () => {
    const anEvent = (writer: number, n: number): NewEvent => ({
      eventId: randomUUID(),
      type: 'ClaimReported',
      data: { writer, n },
      metadata: { schemaVersion: 1, correlationId: randomUUID(), causationId: randomUUID(), actor: `writer-${writer}` },
    });

    it('lets a live subscriber on another instance see every one of 10,000 appends exactly once, in position order', async () => {
      const schema = await aPostgresSchema();
      const writers = await aPostgresStore(schema.url, { now: () => Date.now() });
      const reader = await aPostgresStore(schema.url, { now: () => Date.now() });
      try {
        const WRITERS = 8;
        const PER_WRITER = 1250;
        const subscription = reader.eventStore.subscribe();
        const seen: StoredEvent[] = [];
        const reading = (async () => {
          for await (const event of subscription) {
            seen.push(event);
            if (seen.length === WRITERS * PER_WRITER) break;
          }
        })();
        await Promise.all(
          Array.from({ length: WRITERS }, async (_, writer) => {
            for (let n = 0; n < PER_WRITER; n++) {
              await writers.eventStore.append(`development-w${writer}`, [anEvent(writer, n)], 'any');
            }
          }),
        );
        await reading;
        subscription.close();

        expect(seen.map((event) => event.position)).toEqual(Array.from({ length: WRITERS * PER_WRITER }, (_, i) => BigInt(i + 1)));
        expect(new Set(seen.map((event) => event.eventId)).size).toBe(WRITERS * PER_WRITER);
        for (let writer = 0; writer < WRITERS; writer++) {
          const own = seen.filter((event) => event.streamId === `development-w${writer}`);
          expect(own.map((event) => (event.data as { n: number }).n)).toEqual(Array.from({ length: PER_WRITER }, (_, n) => n));
          expect(own.map((event) => event.streamVersion)).toEqual(Array.from({ length: PER_WRITER }, (_, n) => BigInt(n)));
        }
      } finally {
        await writers.close();
        await reader.close();
        await schema.drop();
      }
    }, 180_000);

    it('keeps positions gap-free and in commit order when two instances group-commit at once, each stream in order', async () => {
      const schema = await aPostgresSchema();
      const instances = [await aPostgresStore(schema.url, { now: () => Date.now() }), await aPostgresStore(schema.url, { now: () => Date.now() })];
      const reader = await aPostgresStore(schema.url, { now: () => Date.now() });
      try {
        const WRITERS_PER_INSTANCE = 4;
        const PER_WRITER = 250;
        const TOTAL = instances.length * WRITERS_PER_INSTANCE * PER_WRITER;
        const subscription = reader.eventStore.subscribe();
        const seen: StoredEvent[] = [];
        const reading = (async () => {
          for await (const event of subscription) {
            seen.push(event);
            if (seen.length === TOTAL) break;
          }
        })();
        await Promise.all(
          instances.flatMap((instance, i) =>
            Array.from({ length: WRITERS_PER_INSTANCE }, async (_, w) => {
              const writer = i * WRITERS_PER_INSTANCE + w;
              // Exact expected versions: each append must see its stream's previous one.
              for (let n = 0; n < PER_WRITER; n++) await instance.eventStore.append(`development-w${writer}`, [anEvent(writer, n)], n === 0 ? 'no-stream' : BigInt(n - 1));
            }),
          ),
        );
        await reading;
        subscription.close();

        expect(seen.map((event) => event.position)).toEqual(Array.from({ length: TOTAL }, (_, i) => BigInt(i + 1)));
        for (let writer = 0; writer < instances.length * WRITERS_PER_INSTANCE; writer++) {
          const own = seen.filter((event) => event.streamId === `development-w${writer}`);
          expect(own.map((event) => (event.data as { n: number }).n)).toEqual(Array.from({ length: PER_WRITER }, (_, n) => n));
        }
      } finally {
        for (const instance of instances) await instance.close();
        await reader.close();
        await schema.drop();
      }
    }, 120_000);
  });
});
