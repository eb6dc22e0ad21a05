import { aPostgresSchema, describeWithPostgres } from '../support/postgres';
import { startTestApp, TestApp } from '../support/test-app';

describeWithPostgres('two app instances on one PostgreSQL database', () => {
  let schema: Awaited<ReturnType<typeof aPostgresSchema>>;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    schema = await aPostgresSchema();
    const env = { TIMELINE_EVENT_STORE: 'postgres', DATABASE_URL: schema.url, TIMELINE_PROJECTION_WAIT_MS: '3000' };
    a = await startTestApp({ env });
    b = await startTestApp({ env });
  });

  afterAll(async () => {
    await a.close();
    await b.close();
    await schema.drop();
  });

  const development = (id: string, sourceId: string) => ({
    id,
    title: `Convoy ${id}`,
    topics: ['convoys'],
    claim: { sourceId, stance: 'asserts', reportedAt: '2025-02-01', quantity: { value: 12, unit: 'trucks', qualifier: 'about' } },
  });

  it('reflects a write on A in a read on B that asks for its position', async () => {
    expect((await a.post('/v1/sources', { id: 'observer', name: 'Observer', kind: 'ngo' })).status).toBe(201);
    const written = await a.post('/v1/developments', development('north', 'observer'));
    expect(written.status).toBe(201);

    const read = await b.get(`/v1/developments/north?minPosition=${written.body.position}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: 'north', status: 'reported', estimates: [{ measure: 'trucks', unit: 'trucks', low: 12, high: 12 }] });
  });

  it('reflects a write on B in a read on A, and both answer the same, each claim once', async () => {
    const written = await b.post('/v1/developments', development('south', 'observer'));
    const claim = await b.post('/v1/developments/south/claims', { sourceId: 'observer', stance: 'confirms', reportedAt: '2025-02-02' });
    expect(claim.status).toBe(201);

    const fromA = await a.get(`/v1/knowledge?topic=convoys&minPosition=${claim.body.position}`);
    const fromB = await b.get(`/v1/knowledge?topic=convoys&minPosition=${claim.body.position}`);
    expect(fromA.status).toBe(200);
    expect(fromA.body.items.map((item: { id: string }) => item.id)).toEqual(['north', 'south']);
    expect(fromA.body.items).toEqual(fromB.body.items);
    const south = fromA.body.items[1];
    expect(south.claims.map((c: { id: string }) => c.id)).toEqual([written.body.claimId, claim.body.claimId]);
    expect(south.status).toBe('confirmed');
  });

  it('answers 503, not stale data, when asked for a position not yet written', async () => {
    const head = (await a.get('/v1/events?limit=1000')).body.last;
    const read = await b.get(`/v1/knowledge?minPosition=${head + 5}`);
    expect(read.status).toBe(503);
    expect(read.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it("drops B's kept pages once a write on A is applied to the shared read model, with no minPosition asked", async () => {
    const url = '/v1/knowledge?topic=convoys&asOf=2025-12-31';
    const before = await b.get(url);
    expect((await b.get(url)).body.items).toEqual(before.body.items);
    const claim = await a.post('/v1/developments/south/claims', { sourceId: 'observer', stance: 'asserts', reportedAt: '2025-02-03' });
    expect(claim.status).toBe(201);
    expect(claim.body.readModelBehind).toBeUndefined();

    const after = await b.get(url);
    const south = after.body.items.find((item: { id: string }) => item.id === 'south');
    expect(south.claims.map((c: { id: string }) => c.id)).toContain(claim.body.claimId);
    expect(after.body.items).not.toEqual(before.body.items);
  });

  it('serialises concurrent writers on both instances into one gap-free log', async () => {
    const writes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).post('/v1/developments/north/claims', { sourceId: 'observer', stance: 'asserts', reportedAt: `2025-02-${String(10 + i)}` }),
      ),
    );
    expect(writes.map((write) => write.status)).toEqual(writes.map(() => 201));
    const events = (await a.get('/v1/events?limit=1000')).body.items as { position: number; streamId: string; streamVersion: number }[];
    expect(events.map((event) => event.position)).toEqual(events.map((_, i) => i + 1));
    const north = events.filter((event) => event.streamId === 'development-north').map((event) => event.streamVersion);
    expect(north).toEqual(north.map((_, i) => i));
  });
});
