import { EventStore, EventSubscription, StoredEvent } from '../../src/event-store/event-store.port';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { aSqliteReadModelPerTest } from '../support/sqlite-read-model';

const event = (position: number, recordedAt: string): StoredEvent =>
  ({ position: BigInt(position), streamId: 's', streamVersion: BigInt(position), eventId: `e${position}`, type: 'Noted', data: {}, metadata: {}, recordedAt }) as unknown as StoredEvent;

/** A log whose transaction times step back once (KurrentDB: the clock of the node that wrote each event). */
const LOG = [event(1, '2025-01-01T00:00:05.000Z'), event(2, '2025-01-01T00:00:09.000Z'), event(3, '2025-01-01T00:00:07.000Z')];

function storeOf(events: readonly StoredEvent[]): EventStore {
  return {
    subscribe: ({ after = 0n } = {}): EventSubscription => {
      const pending = events.filter((e) => e.position > after);
      return {
        close: () => undefined,
        async *[Symbol.asyncIterator]() {
          yield* pending;
          await new Promise(() => undefined);
        },
      };
    },
  } as unknown as EventStore;
}

describe('a projection runner over a log whose transaction times step back', () => {
  const readModel = aSqliteReadModelPerTest('runner');

  it('keeps the latest transaction time applied, not the last event\'s, in memory and with its checkpoint', async () => {
    const runner = new ProjectionRunner(storeOf(LOG), readModel(), { name: 'noted', takes: 'stored', apply: async () => undefined });
    await runner.start();
    expect(await runner.waitFor(3n, 5000)).toBe(true);
    expect(runner.recordedAtMs).toBe(Date.parse('2025-01-01T00:00:09.000Z'));
    const row = await readModel().query.selectFrom('projection_checkpoints').selectAll().where('projection', '=', 'noted').executeTakeFirstOrThrow();
    expect([Number(row.position), row.recorded_at]).toEqual([3, '2025-01-01T00:00:09.000Z']);
    await runner.stop();

    // Started again from its checkpoint, it reads the same back.
    const again = new ProjectionRunner(storeOf(LOG), readModel(), { name: 'noted', takes: 'stored', apply: async () => undefined });
    await again.start();
    expect(again.recordedAtMs).toBe(Date.parse('2025-01-01T00:00:09.000Z'));
    await again.stop();
  });
});
