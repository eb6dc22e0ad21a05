import { STORAGE, Storage } from '../../src/bootstrap/open-storage';
import { startTestApp, TestApp } from '../support/test-app';

describe('a retried write whose first response was never stored', () => {
  let api: TestApp;
  const source = { id: 'harbour-master', name: 'Harbour master', kind: 'official' };
  const development = {
    title: 'Tanker ran aground',
    topics: ['harbour'],
    claim: { sourceId: 'harbour-master', stance: 'asserts', reportedAt: '2025-01-05' },
  };

  beforeEach(async () => {
    api = await startTestApp();
    expect((await api.post('/v1/sources', source)).status).toBe(201);
  });

  afterEach(() => api.close());

  /** What a crash between the append and storing the key's response leaves behind. */
  const forgetIdempotencyKeys = () =>
    api.app.get<symbol, Storage>(STORAGE).readModel.write((trx) => trx.deleteFrom('idempotency_keys').execute());

  const head = async () => (await api.get('/v1/events?after=0&limit=1000')).body.last;

  it('answers the first response again and appends nothing, for a development with a generated id', async () => {
    const first = await api.post('/v1/developments', development, { 'idempotency-key': 'retry-1' });
    expect(first.status).toBe(201);
    const before = await head();
    await forgetIdempotencyKeys();

    const retry = await api.post('/v1/developments', development, { 'idempotency-key': 'retry-1' });
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await head()).toBe(before);
  });

  it('answers the first response again for a claim, even with the If-Match the first request carried', async () => {
    const recorded = await api.post('/v1/developments', { ...development, id: 'tanker' });
    const claim = { sourceId: 'harbour-master', stance: 'confirms', reportedAt: '2025-01-06' };
    const headers = { 'idempotency-key': 'retry-2', 'if-match': `"${recorded.body.version}"` };
    const first = await api.post('/v1/developments/tanker/claims', claim, headers);
    expect(first.status).toBe(201);
    const before = await head();
    await forgetIdempotencyKeys();

    const retry = await api.post('/v1/developments/tanker/claims', claim, headers);
    expect(retry.body).toEqual(first.body);
    expect(await head()).toBe(before);
    expect((await api.get('/v1/developments/tanker')).body.claims).toHaveLength(2);
  });
});
