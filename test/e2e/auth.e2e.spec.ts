import { aClaim, aDevelopment, aSource, created, expectProblem, headPosition } from '../support/builders';
import { TestApp, startTestApp } from '../support/test-app';

const KEYS = {
  reader: 'reader-key-7f3a9c1e5b',
  editor: 'editor-key-2d8b6f4a0c',
  auditor: 'auditor-key-9e1c3b5d7f',
  admin: 'admin-key-4a6c8e0b2d9',
};
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys and roles', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      env: { TIMELINE_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${key}:${role}`).join(',') },
    });
    created(await app.post('/v1/sources', aSource(), bearer(KEYS.editor)));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 401 problem details to a request without Authorization, read or write', async () => {
    expectProblem(await app.get('/v1/knowledge'), 401);
    expectProblem(await app.get('/v1/events'), 401);
    const before = await headPosition(app, bearer(KEYS.reader));
    expectProblem(await app.post('/v1/sources', aSource({ id: 'no-key-source' })), 401);
    expect(await headPosition(app, bearer(KEYS.reader))).toBe(before);
  });

  it('answers 401 to an unknown key and to a header that is not a bearer key', async () => {
    expectProblem(await app.get('/v1/sources', bearer('not-a-configured-key-at-all')), 401);
    expectProblem(await app.get('/v1/sources', bearer(`${KEYS.reader}x`)), 401);
    expectProblem(await app.get('/v1/sources', { authorization: `Basic ${Buffer.from(`reader:${KEYS.reader}`).toString('base64')}` }), 401);
    expectProblem(await app.get('/v1/sources', { authorization: KEYS.reader }), 401);
    expectProblem(await app.get('/v1/sources', { authorization: 'Bearer ' }), 401);
  });

  it('never echoes the presented key in a refusal', async () => {
    const refused = await app.get('/v1/sources', bearer('secret-guess-0123456789'));
    expect(refused.text).not.toContain('secret-guess-0123456789');
  });

  it('lets a reader GET but answers 403 to its POST and stores nothing', async () => {
    for (const url of ['/v1/sources', '/v1/knowledge', '/v1/knowledge/changes', '/v1/events', '/v1/sources/harbour-watch']) {
      expect({ url, status: (await app.get(url, bearer(KEYS.reader))).status }).toEqual({ url, status: 200 });
    }
    const before = await headPosition(app, bearer(KEYS.reader));
    expectProblem(await app.post('/v1/sources', aSource({ id: 'reader-source' }), bearer(KEYS.reader)), 403);
    expectProblem(await app.post('/v1/developments', aDevelopment({ id: 'reader-development' }), bearer(KEYS.reader)), 403);
    expect(await headPosition(app, bearer(KEYS.reader))).toBe(before);
    expectProblem(await app.get('/v1/sources/reader-source', bearer(KEYS.reader)), 404);
  });

  it('answers 403 to an auditor writing', async () => {
    expectProblem(await app.post('/v1/sources', aSource({ id: 'auditor-source' }), bearer(KEYS.auditor)), 403);
  });

  it('lets an editor and an admin write and read', async () => {
    const recorded = await app.post('/v1/developments', aDevelopment({ id: 'editor-development' }), bearer(KEYS.editor));
    expect(recorded.status).toBe(201);
    const claim = await app.post('/v1/developments/editor-development/claims', aClaim({ reportedAt: '2025-03-06' }), bearer(KEYS.admin));
    expect(claim.status).toBe(201);
    const read = await app.get('/v1/developments/editor-development', bearer(KEYS.editor));
    expect(read.status).toBe(200);
    expect(read.body.claims).toHaveLength(2);
  });

  it('serves /health without a key', async () => {
    const health = await app.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });

  it('serves /health without a key also when the probe adds a query string', async () => {
    expect((await app.get('/health?probe=liveness')).status).toBe(200);
  });

  it('accepts the Bearer scheme name in any case, as HTTP auth schemes are case-insensitive', async () => {
    expect((await app.get('/v1/sources', { authorization: `bearer ${KEYS.reader}` })).status).toBe(200);
    expect((await app.get('/v1/sources', { authorization: `BEARER ${KEYS.reader}` })).status).toBe(200);
  });

  it("records the key's role as metadata.actor of stored events, never the key itself", async () => {
    const p0 = await headPosition(app, bearer(KEYS.reader));
    created(await app.post('/v1/sources', aSource({ id: 'actor-source', name: 'Actor Source' }), bearer(KEYS.editor)));
    created(await app.post('/v1/developments', aDevelopment({ id: 'actor-development', claim: aClaim({ sourceId: 'actor-source' }) }), bearer(KEYS.admin)));

    const events = await app.get(`/v1/events?after=${p0}`, bearer(KEYS.reader));
    expect(events.status).toBe(200);
    const actors = events.body.items.map((event: { type: string; metadata: { actor: string } }) => [event.type, event.metadata.actor]);
    expect(actors).toEqual([
      ['SourceRegistered', expect.stringContaining('editor')],
      ['DevelopmentRecorded', expect.stringContaining('admin')],
      ['ClaimReported', expect.stringContaining('admin')],
    ]);

    const everything = await app.get('/v1/events?limit=1000', bearer(KEYS.reader));
    const history = await app.get('/v1/developments/actor-development/history', bearer(KEYS.reader));
    for (const key of Object.values(KEYS)) {
      expect(everything.text).not.toContain(key);
      expect(history.text).not.toContain(key);
    }
  });
});
