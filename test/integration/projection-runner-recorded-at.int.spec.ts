import { ProjectionRunner } from '../../src/projections/projection-runner';
import { aLoggedEvent, aStoreOfLog } from '../support/fixed-log';
import { aSqliteReadModelPerTest } from '../support/sqlite-read-model';

/** A log whose transaction times step back once (KurrentDB: the clock of the node that wrote each event). */
const LOG = [aLoggedEvent(1, '2025-01-01T00:00:05.000Z'), aLoggedEvent(2, '2025-01-01T00:00:09.000Z'), aLoggedEvent(3, '2025-01-01T00:00:07.000Z')];

describe('a projection runner over a log whose transaction times step back', () => {
  const readModel = aSqliteReadModelPerTest('runner');

  it('keeps the latest transaction time applied, not the last event\'s, in memory and with its checkpoint', async () => {
    const runner = new ProjectionRunner(aStoreOfLog(LOG), readModel(), { name: 'noted', takes: 'stored', apply: async () => undefined });
    await runner.start();
    expect(await runner.waitFor(3n, 5000)).toBe(true);
    expect(runner.recordedAtMs).toBe(Date.parse('2025-01-01T00:00:09.000Z'));
    const row = await readModel().query.selectFrom('projection_checkpoints').selectAll().where('projection', '=', 'noted').executeTakeFirstOrThrow();
    expect([Number(row.position), row.recorded_at]).toEqual([3, '2025-01-01T00:00:09.000Z']);
    await runner.stop();

    // Started again from its checkpoint, it reads the same back.
    const again = new ProjectionRunner(aStoreOfLog(LOG), readModel(), { name: 'noted', takes: 'stored', apply: async () => undefined });
    await again.start();
    expect(again.recordedAtMs).toBe(Date.parse('2025-01-01T00:00:09.000Z'));
    await again.stop();
  });
});
