import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage, openStorage } from '../../src/bootstrap/open-storage';
import { SqliteReadModelDatabase } from '../../src/database/read-model-database';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { ProjectionRunner, startProjections } from '../../src/projections/projection-runner';
import { eventually } from '../support/eventually';
import { aNotingProjection } from '../support/noting-projection';

/** The embedded store, its runners applying appends in the append's transaction (as the server's do). */
describe('projections applied in the append transaction (embedded store)', () => {
  let dir: string;
  let storage: Storage;
  let store: SqliteEventStore;
  let readModel: SqliteReadModelDatabase;
  let runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'timeline-inline-'));
    storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, { now: () => Date.UTC(2025, 0, 1) });
    store = storage.eventStore as SqliteEventStore;
    readModel = storage.readModel as SqliteReadModelDatabase;
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let ids = 0;
  const append = (streamId = 'stream-a') =>
    store.append(streamId, [{ eventId: `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`, type: 'Noted', data: {}, metadata: { schemaVersion: 1, correlationId: 'c', causationId: 'c', actor: 'test' } }], 'any');
  const rows = async () => (await readModel.query.selectFrom('projection_checkpoints').select(['projection', 'position']).execute()).map((row) => `${row.projection}@${row.position}`).sort();
  const transactions = () => [store.commitStats.transactions, readModel.commitStats.transactions];

  it('store the events and every caught-up projection’s rows in one transaction, applied once it commits', async () => {
    const [first, second] = [aNotingProjection('first'), aNotingProjection('second')];
    runners = await startProjections(store, readModel, [first, second], { inAppendTransactions: true });
    const before = transactions();

    const { position } = await append();

    // Applied when the append answers: nothing to wait for, no transaction of the read model's own.
    expect(runners.map((runner) => runner.checkpoint)).toEqual([position, position]);
    expect(transactions().map((count, i) => count - before[i])).toEqual([1, 0]);
    expect([first.batches, second.batches]).toEqual([[[position]], [[position]]]);
    expect(await rows()).toEqual(['first attempt 1@0', `first@${position}`, 'second attempt 1@0', `second@${position}`]);
    // The subscription brings the event too: it is not applied again, nor its checkpoint locked in a transaction of its own.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([first.batches, second.batches]).toEqual([[[position]], [[position]]]);
    expect(transactions().map((count, i) => count - before[i])).toEqual([1, 0]);
  });

  it('apply a batch of concurrent appends once, in position order, an append retried in the same batch not again', async () => {
    const noting = aNotingProjection('noting');
    runners = await startProjections(store, readModel, [noting], { inAppendTransactions: true });
    const before = transactions();
    const [once, two, three] = ['01', '02', '03'].map((n) => ({ eventId: `20000000-0000-4000-8000-0000000000${n}`, type: 'Noted', data: {}, metadata: { schemaVersion: 1, correlationId: 'c', causationId: 'c', actor: 'test' } }));

    // Submitted in one turn: one batch, where the retry finds its first try's uncommitted rows.
    const [first, second, retried] = await Promise.all([store.append('stream-a', [once], 'any'), store.append('stream-b', [two, three], 'any'), store.append('stream-a', [once], 'any')]);

    expect(retried.position).toBe(first.position);
    expect(transactions().map((count, i) => count - before[i])).toEqual([1, 0]);
    expect(noting.batches).toEqual([[first.position, second.position - 1n, second.position]]);
    expect(runners[0].checkpoint).toBe(second.position);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(noting.batches).toHaveLength(1);
  });

  it('undo alone a projection whose batch fails there: the append and the others’ rows commit, and it applies the events from its subscription', async () => {
    const [failing, steady] = [aNotingProjection('failing', 1), aNotingProjection('steady')];
    runners = await startProjections(store, readModel, [failing, steady], { inAppendTransactions: true });

    const { position } = await append();

    expect(runners.map((runner) => [runner.name, runner.checkpoint])).toEqual([
      ['failing', 0n],
      ['steady', position],
    ]);
    expect(await runners[0].waitFor(position, 5000)).toBe(true);
    expect([failing.batches, steady.batches]).toEqual([[[position]], [[position]]]);
    // Its failed attempt's row is undone; its second, in a transaction of its own, commits.
    expect(await rows()).toEqual([`failing attempt 2@0`, `failing@${position}`, 'steady attempt 1@0', `steady@${position}`]);
  });

  it('store the append without them when their work ends the transaction under it (as SQLite does on a full disk), telling each what it applied there is gone', async () => {
    const [steady, breaking] = [aNotingProjection('a-steady'), aNotingProjection('breaking', 1, true)];
    runners = await startProjections(store, readModel, [steady, breaking], { inAppendTransactions: true });

    const { position } = await append();

    expect((await store.readAll()).map((event) => event.position)).toEqual([position]);
    for (const runner of runners) expect(await eventually(async () => runner.checkpoint, (checkpoint) => checkpoint === position, 'applied')).toBe(position);
    // a-steady applied the batch in the transaction that was rolled back, then again from the log.
    expect([steady.rollbacks, breaking.rollbacks]).toEqual([1, 1]);
    expect([steady.batches, breaking.batches]).toEqual([[[position], [position]], [[position]]]);
    expect(await rows()).toEqual(['a-steady attempt 2@0', `a-steady@${position}`, `breaking attempt 2@0`, `breaking@${position}`]);
  });

  it('fail only the append SQLite itself refuses, as without them, trying the batch once with them: the others are applied each in its own transaction', async () => {
    const noting = aNotingProjection('noting');
    runners = await startProjections(store, readModel, [noting], { inAppendTransactions: true });
    let poisonChecks = 0;
    store.sqlite.writer.function('poison_checked', () => ++poisonChecks);
    store.sqlite.writer.exec("CREATE TEMP TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.type = 'Poison' AND poison_checked() > 0 BEGIN SELECT RAISE(ABORT, 'poison refused'); END");
    const event = (n: number, type = 'Noted') => ({ eventId: `30000000-0000-4000-8000-00000000000${n}`, type, data: {}, metadata: { schemaVersion: 1, correlationId: 'c', causationId: 'c', actor: 'test' } });

    const outcomes = await Promise.allSettled([store.append('a', [event(1)], 'any'), store.append('poisoned', [event(2, 'Poison')], 'any'), store.append('b', [event(3)], 'any')]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Once in the shared transaction, once alone: not again without the projections in between.
    expect(poisonChecks).toBe(2);
    const positions = (await store.readAll()).map((stored) => stored.position);
    expect(noting.batches).toEqual(positions.map((position) => [position]));
    expect(noting.rollbacks).toBe(0);
  });

  it('leave the events to a runner that is behind, which applies them in order from its subscription', async () => {
    const noting = aNotingProjection('noting');
    runners = await startProjections(store, readModel, [noting], { inAppendTransactions: true });
    // Appended by another process on the same file: this one's runner sees them only when it next polls.
    const other = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, { now: () => Date.UTC(2025, 0, 1) }, { lockDataDir: false });
    const first = await other.eventStore.append('stream-b', [{ eventId: '10000000-0000-4000-8000-000000000001', type: 'Noted', data: {}, metadata: { schemaVersion: 1, correlationId: 'c', causationId: 'c', actor: 'test' } }], 'any');
    await other.close();

    const second = await append();

    expect(await runners[0].waitFor(second.position, 5000)).toBe(true);
    expect(noting.batches.flat()).toEqual([first.position, second.position]);
  });
});
