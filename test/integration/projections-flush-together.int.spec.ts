import { ProjectionRunner, startProjections } from '../../src/projections/projection-runner';
import { aLoggedEvent, aStoreOfLog } from '../support/fixed-log';
import { aNotingProjection } from '../support/noting-projection';
import { aSqliteReadModelPerTest } from '../support/sqlite-read-model';

const LOG = [1, 2, 3].map((position) => aLoggedEvent(position, `2025-01-01T00:00:0${position}.000Z`));

describe('the projections on one read-model database', () => {
  const readModel = aSqliteReadModelPerTest('flush-together');
  let runners: ProjectionRunner[] = [];
  afterEach(() => Promise.all(runners.splice(0).map((runner) => runner.stop())));
  const rows = async () => (await readModel().query.selectFrom('projection_checkpoints').select(['projection', 'position']).execute()).map((row) => `${row.projection}@${row.position}`).sort();
  /** Whether the runner applies up to `position` within 5 s, through failures (`waitFor` answers false at a failure). */
  const reaches = async (runner: { checkpoint: bigint }, position: bigint) => {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      if (runner.checkpoint >= position) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  };

  it('apply the same new events in one transaction (one fsync)', async () => {
    const [first, second] = [aNotingProjection('first'), aNotingProjection('second')];
    const before = readModel().commitStats.transactions;
    runners = await startProjections(aStoreOfLog(LOG), readModel(), [first, second]);

    expect(await Promise.all(runners.map((runner) => runner.waitFor(3n, 5000)))).toEqual([true, true]);
    expect(readModel().commitStats.transactions - before).toBe(1);
    expect([first.batches, second.batches]).toEqual([[[1n, 2n, 3n]], [[1n, 2n, 3n]]]);
    expect(await rows()).toEqual(['first attempt 1@0', 'first@3', 'second attempt 1@0', 'second@3']);
  });

  it('undo and retry alone a projection whose batch fails; the others commit theirs once', async () => {
    // Applied in the order of their names: the failing one after the one that commits.
    const [steady, failing] = [aNotingProjection('a-steady'), aNotingProjection('b-failing', 1)];
    runners = await startProjections(aStoreOfLog(LOG), readModel(), [failing, steady]);

    expect(await Promise.all(runners.map((runner) => reaches(runner, 3n)))).toEqual([true, true]);
    expect([steady.batches, failing.batches]).toEqual([[[1n, 2n, 3n]], [[1n, 2n, 3n]]]);
    // The failed attempt's row was undone with it; the other's first attempt stands, the retry's too.
    expect(await rows()).toEqual(['a-steady attempt 1@0', 'a-steady@3', 'b-failing attempt 2@0', 'b-failing@3']);
  });

  it('apply each batch in a transaction of its own when the shared one fails whole, so the batch that broke it does not fail the others', async () => {
    const [steady, breaking] = [aNotingProjection('a-steady'), aNotingProjection('b-breaking', 1, true)];
    runners = await startProjections(aStoreOfLog(LOG), readModel(), [steady, breaking]);
    const [steadyRunner, breakingRunner] = runners;

    // The steady one is not failed (a waiter would be answered false at a failure).
    expect(await steadyRunner.waitFor(3n, 5000)).toBe(true);
    expect(await reaches(breakingRunner, 3n)).toBe(true);
    // The steady one applied twice: in the shared transaction (undone with it), then alone.
    expect([steady.batches, breaking.batches]).toEqual([[[1n, 2n, 3n], [1n, 2n, 3n]], [[1n, 2n, 3n]]]);
    expect(await rows()).toEqual(['a-steady attempt 2@0', 'a-steady@3', 'b-breaking attempt 2@0', 'b-breaking@3']);
  });
});
