import { EventStore, ReadAllOptions, StoredEvent } from '../../src/event-store/event-store.port';
import { ConsumerStatuses, LAG_COUNT_LIMIT } from '../../src/application/consumer-statuses';
import { ProjectionsController } from '../../src/http/controllers/projections.controller';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { aClaim, aDevelopment, aSource } from '../support/builders';
import { startTestApp, TestApp } from '../support/test-app';

describe('GET /v1/projections', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers head 0 and every projection at checkpoint 0 with lag 0 on an empty log', async () => {
    const response = await t.get('/v1/projections');
    expect(response.status).toBe(200);
    expect(response.body.head).toBe(0);
    expect(response.body.projections.map((projection: { name: string }) => projection.name)).toContain('knowledge');
    for (const projection of response.body.projections) expect(projection).toEqual({ name: expect.any(String), checkpoint: 0, lag: 0, state: 'running' });
  });

  it('shows each projection at the head of the log, lag 0, once writes have answered', async () => {
    await t.post('/v1/sources', aSource());
    await t.post('/v1/developments', aDevelopment());
    const last = await t.post('/v1/developments/vestby-oil-spill/claims', aClaim({ stance: 'confirms', reportedAt: '2025-03-06' }));
    expect(last.status).toBe(201);

    const response = await t.get('/v1/projections');
    expect(response.status).toBe(200);
    expect(response.body.head).toBe(last.body.position);
    expect(response.body.projections.length).toBeGreaterThan(0);
    for (const projection of response.body.projections) {
      expect(projection).toEqual({ name: expect.any(String), checkpoint: last.body.position, lag: 0, state: 'running' });
    }
    expect((await t.get('/v1/events?limit=1')).body.items[0].position).toBe(1);
  });

});

describe('projection lag', () => {
  const event = (position: bigint) => ({ position }) as StoredEvent;
  const controller = (checkpoint: bigint, head: bigint, log: bigint[]) =>
    new ProjectionsController(
      new ConsumerStatuses(
        {
          headPosition: async () => head,
          readAll: async ({ after = 0n, limit = Infinity }: ReadAllOptions = {}) => log.filter((p) => p > after).slice(0, limit).map(event),
        } as EventStore,
        [{ name: 'knowledge', checkpoint, state: 'running' } as ProjectionRunner],
      ),
    );

  it('counts the events between the checkpoint and the head, also where positions have gaps (KurrentDB)', async () => {
    expect(await controller(10n, 40n, [10n, 25n, 40n]).projections()).toEqual({ head: 40, projections: [{ name: 'knowledge', checkpoint: 10, lag: 2, state: 'running' }] });
  });

  it('does not count events appended after the head was read', async () => {
    expect(await controller(3n, 5n, [1n, 2n, 3n, 4n, 5n, 6n, 7n]).projections()).toEqual({ head: 5, projections: [{ name: 'knowledge', checkpoint: 3, lag: 2, state: 'running' }] });
  });

  it('counts at most LAG_COUNT_LIMIT events', async () => {
    const log = Array.from({ length: LAG_COUNT_LIMIT + 50 }, (_, i) => BigInt(i + 1));
    const { projections } = await controller(0n, log.at(-1)!, log).projections();
    expect(projections[0].lag).toBe(LAG_COUNT_LIMIT);
  });
});
