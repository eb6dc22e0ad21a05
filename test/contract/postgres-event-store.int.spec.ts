import { randomUUID } from 'node:crypto';
import { Storage, openStorage } from '../../src/database/storage';
import { NewEvent, StoredEvent } from '../../src/event-store/event-store.port';
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
  });
});
