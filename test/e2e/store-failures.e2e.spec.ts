import { catchUp } from '../../src/cli/catch-up';
import { STORAGE, Storage } from '../../src/bootstrap/open-storage';
import { aClaim, aDevelopment, aSource, created, expectProblem, headPosition } from '../support/builders';
import { eventually } from '../support/eventually';
import { failingStorage, storeErrors } from '../support/failing-storage';
import { startTestApp, TestApp } from '../support/test-app';

type Projections = { head: number; projections: { name: string; checkpoint: number; lag: number; state: string }[] };

describe('when the store fails under a write (injected: a full disk, a busy store)', () => {
  let t: TestApp;
  let failing: ReturnType<typeof failingStorage>;

  beforeEach(async () => {
    t = await startTestApp();
    failing = failingStorage(t);
    created(await t.post('/v1/sources', aSource()));
  });

  afterEach(() => t.close());

  const projections = async (): Promise<Projections> => (await t.get('/v1/projections')).body;
  const caughtUp = (p: Projections) => p.projections.every((projection) => projection.state === 'running' && projection.checkpoint === p.head);

  it.each([
    ['SQLite', storeErrors.sqliteFull],
    ['PostgreSQL', storeErrors.postgresDiskFull],
  ])('answers 507 problem+json and stores nothing when the append fails for space (%s), and writes again once there is space', async (_, error) => {
    const before = await headPosition(t);
    failing.append = error;

    const full = await t.post('/v1/developments', aDevelopment());

    expectProblem(full, 507);
    expect(full.body.detail).toMatch(/nothing was stored/);
    expect(await headPosition(t)).toBe(before);
    delete failing.append;
    expect(created(await t.post('/v1/developments', aDevelopment())).position).toBe(before + 2);
  });

  it.each([
    ['SQLite', storeErrors.sqliteBusy],
    ['PostgreSQL', storeErrors.postgresLockTimeout],
  ])('answers 503 problem+json with Retry-After when the store is busy (%s)', async (_, error) => {
    failing.append = error;

    const busy = await t.post('/v1/developments', aDevelopment());

    expectProblem(busy, 503);
    expect(busy.headers['retry-after']).toBe('1');
  });

  it('answers 201 with the position of a stored write whose projections cannot write, says the read model is behind, and the projections catch up by themselves', async () => {
    failing.readModelWrite = storeErrors.sqliteFull;

    const written = await t.post('/v1/developments', aDevelopment());

    expect(written.status).toBe(201);
    expect(written.body).toEqual({ id: 'vestby-oil-spill', version: 1, position: 3, claimId: expect.any(String), readModelBehind: true });
    expect(await headPosition(t)).toBe(3);
    const stalled = await projections();
    expect(stalled.projections.map(({ name, state }) => ({ name, state }))).toEqual([
      { name: 'knowledge', state: 'retrying' },
      { name: 'audit-merkle', state: 'retrying' },
    ]);
    expect((await t.get('/health')).status).toBe(503);
    expectProblem(await t.get('/v1/developments/vestby-oil-spill?minPosition=3'), 503);

    delete failing.readModelWrite;

    const recovered = await eventually(projections, caughtUp, 'caught up');
    expect(recovered.projections.every((projection) => projection.lag === 0)).toBe(true);
    expect((await t.get('/v1/developments/vestby-oil-spill?minPosition=3')).body.claims).toHaveLength(1);
    expect((await t.get('/v1/audit/verify')).body).toEqual(expect.objectContaining({ ok: true, treeSize: 3 }));
    const next = await t.post('/v1/developments/vestby-oil-spill/claims', aClaim({ stance: 'confirms', reportedAt: '2025-03-06' }));
    expect(created(next)).toEqual({ id: 'vestby-oil-spill', version: 2, position: 4, claimId: expect.any(String) });
  }, 60_000);

  it('answers 201 when the Idempotency-Key cannot be stored after the write, and a retry with the key answers the same write without a second append', async () => {
    failing.readModelWrite = storeErrors.sqliteFull;
    const first = await t.post('/v1/developments', aDevelopment(), { 'idempotency-key': 'disk-full-1' });
    expect(first.status).toBe(201);
    delete failing.readModelWrite;
    await eventually(projections, caughtUp, 'caught up');

    const retry = await t.post('/v1/developments', aDevelopment(), { 'idempotency-key': 'disk-full-1' });

    expect(created(retry)).toEqual({ id: first.body.id, version: first.body.version, position: first.body.position, claimId: first.body.claimId });
    expect(await headPosition(t)).toBe(first.body.position);
  }, 60_000);

  it('lets a CLI catch-up wait out a store that is busy for a while rather than give up at the first failed batch', async () => {
    failing.readModelWrite = storeErrors.sqliteBusy;
    let applied = 0;
    const caughtUp = catchUp(t.app.get<symbol, Storage>(STORAGE), [
      { name: 'catch-up-probe', takes: 'stored', apply: async (_trx, events) => void (applied += events.length) },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    delete failing.readModelWrite;

    const running = await caughtUp;
    await running.stop();
    expect(applied).toBe(await headPosition(t));
  });
});
