import { EventStore, EventSubscription, StoredEvent } from '../../src/event-store/event-store.port';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { aLoggedEvent } from '../support/fixed-log';
import { aSqliteReadModelPerTest } from '../support/sqlite-read-model';

/** A store whose subscriptions yield `events` one per turn of the event loop, as writes arriving one by one do. */
function aStoreOfSlowLog(events: readonly StoredEvent[]): EventStore {
  return {
    subscribe: ({ after = 0n } = {}): EventSubscription => ({
      close: () => undefined,
      async *[Symbol.asyncIterator]() {
        for (const event of events.filter((e) => e.position > after)) {
          await new Promise((resolve) => setImmediate(resolve));
          yield event;
        }
        await new Promise(() => undefined);
      },
    }),
  } as unknown as EventStore;
}

/** Runs a runner over `positions` and answers how many events it had applied at each refresh of the planner's statistics. */
async function refreshesOver(db: ReturnType<ReturnType<typeof aSqliteReadModelPerTest>>, positions: readonly number[]): Promise<number[]> {
  const events = positions.map((position) => aLoggedEvent(position, '2025-01-01T00:00:00.000Z'));
  let applied = 0;
  const refreshedAt: number[] = [];
  jest.spyOn(db, 'refreshStatistics').mockImplementation(async () => {
    refreshedAt.push(applied);
  });
  const runner = new ProjectionRunner(aStoreOfSlowLog(events), db, {
    name: 'noted',
    takes: 'stored',
    apply: async (_trx, batch) => {
      applied += batch.length;
    },
  });
  await runner.start();
  try {
    expect(await runner.waitFor(events[events.length - 1].position, 10_000)).toBe(true);
  } finally {
    await runner.stop();
  }
  return refreshedAt;
}

describe('a projection runner refreshing the planner statistics', () => {
  const readModel = aSqliteReadModelPerTest('runner-statistics');

  it('refreshes after its first batch, then each time the log has doubled: never more than half the log behind', async () => {
    const refreshedAt = await refreshesOver(readModel(), Array.from({ length: 200 }, (_, i) => i + 1));
    expect(refreshedAt[0]).toBeGreaterThanOrEqual(1);
    expect(refreshedAt[refreshedAt.length - 1]).toBeGreaterThan(100);
    // 1, 2, 4, …, 128 at most.
    expect(refreshedAt.length).toBeLessThanOrEqual(9);
  });

  it('counts events, not positions, toward its bound (KurrentDB positions are byte offsets)', async () => {
    // 200 events at positions 500 bytes apart from 1,000,000: the log never doubles, and 20,000 events are never reached.
    const refreshedAt = await refreshesOver(readModel(), Array.from({ length: 200 }, (_, i) => 1_000_000 + 500 * i));
    expect(refreshedAt).toHaveLength(1);
  });
});
