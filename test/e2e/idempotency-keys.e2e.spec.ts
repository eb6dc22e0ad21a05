import { STORAGE, Storage } from '../../src/bootstrap/open-storage';
import { aManualClock, aSource } from '../support/builders';
import { startTestApp, TestApp } from '../support/test-app';

describe('an Idempotency-Key record', () => {
  const clock = aManualClock('2031-02-03T04:05:06.789Z');
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp({ clock });
  });

  afterAll(() => api.close());

  it('is stored at the time of the clock the app was given, not the machine’s', async () => {
    expect((await api.post('/v1/sources', aSource(), { 'idempotency-key': 'first-use' })).status).toBe(201);

    const storage = api.app.get<symbol, Storage>(STORAGE);
    const stored = await storage.readModel.query.selectFrom('idempotency_keys').select('created_at').executeTakeFirstOrThrow();
    expect(stored.created_at).toBe(clock.iso());
  });
});

describe('every write route', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startTestApp();
  });

  afterAll(() => api.close());

  it('honours Idempotency-Key: a malformed key is refused before the body is looked at', async () => {
    const document = (await api.get('/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const writes = Object.entries(document.paths)
      .filter(([, operations]) => 'post' in operations)
      .map(([path]) => path.replace(/\{[^}]+\}/g, 'x'));
    expect(writes.length).toBeGreaterThanOrEqual(8);
    for (const path of writes) {
      const response = await api.post(path, {}, { 'idempotency-key': 'has a space' });
      expect({ path, status: response.status, fields: response.body.errors?.map((error: { field: string }) => error.field) }).toEqual({
        path,
        status: 400,
        fields: ['Idempotency-Key'],
      });
    }
  });
});
