import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { aClaim, aDevelopment, aSource, created, expectProblem, headPosition } from '../support/builders';
import { listening, rawRequest, servedRoutes } from '../support/raw-http';
import { TestApp, startTestApp } from '../support/test-app';
import { isWebPageRoute } from '../../src/http/web-page';

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

  it('answers a source rating 401 without a key, 403 for a reader or auditor, and 201 for an editor or admin', async () => {
    const rating = { reliability: 'C', reportedAt: '2025-03-10', reason: 'rated by role' };
    const before = await headPosition(app, bearer(KEYS.reader));
    expectProblem(await app.post('/v1/sources/harbour-watch/ratings', rating), 401);
    expectProblem(await app.post('/v1/sources/harbour-watch/ratings', rating, bearer(KEYS.reader)), 403);
    expectProblem(await app.post('/v1/sources/harbour-watch/ratings', rating, bearer(KEYS.auditor)), 403);
    expect(await headPosition(app, bearer(KEYS.reader))).toBe(before);
    expect(created(await app.post('/v1/sources/harbour-watch/ratings', rating, bearer(KEYS.editor))).position).toBe(before + 1);
    expect(created(await app.post('/v1/sources/harbour-watch/ratings', rating, bearer(KEYS.admin))).position).toBe(before + 2);
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

describe('authorization on the matched route', () => {
  const ROLE_NAMES = Object.keys(KEYS) as (keyof typeof KEYS)[];
  const AUDIT = ['auditor', 'admin'];
  const EVERYONE = ['reader', 'editor', 'auditor', 'admin'];
  const EDITORS = ['editor', 'admin'];
  let app: TestApp;
  let port: number;

  /** Who may call a route, as the README's role matrix says; a route it does not cover fails the test. */
  function allowedRoles(method: string, path: string): string[] | 'public' {
    if (path === '/health' || path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-')) return 'public';
    // The workbench page holds no data (it reads the API with the key it is given): web-page.e2e.spec.ts.
    if (isWebPageRoute(path)) return 'public';
    if (path.startsWith('/v1/audit/')) return AUDIT;
    if (path.startsWith('/v1/') && (method === 'GET' || method === 'HEAD')) return EVERYONE;
    if (path.startsWith('/v1/') && method === 'POST') return EDITORS;
    throw new Error(`no expected roles for ${method} ${path}: add the route to the role matrix (README, docs/security.md) and here`);
  }

  /** A concrete URL for a route; the live stream gets a bad `after`, so an allowed caller gets its 400 and no endless stream. */
  const urlOf = (path: string) =>
    path.replace(':claimId', 'no-such-claim').replace(':id', 'no-such-id') + (path === '/v1/events/live' ? '?after=not-a-position' : '');

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        TIMELINE_API_KEYS: Object.entries(KEYS).map(([role, key]) => `${key}:${role}`).join(','),
        // The table makes hundreds of refused requests from one address.
        TIMELINE_AUTH_FAILURE_LIMIT: '0',
      },
    });
    port = await listening(app.app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('walks a route table that holds the API, the audit, /health and /docs', () => {
    const paths = servedRoutes(app.app).map(([method, path]) => `${method} ${path}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /v1/audit/export', 'POST /v1/sources', 'GET /v1/events/live', 'GET /health', 'GET /docs']));
  });

  it('refuses every API route without a key or with a bad one (401 with a Bearer challenge), and a role the route does not name (403)', async () => {
    const before = await headPosition(app, bearer(KEYS.reader));
    const outcomes: string[] = [];
    for (const [method, path] of servedRoutes(app.app)) {
      const allowed = allowedRoles(method, path);
      if (allowed === 'public') continue;
      const url = urlOf(path);
      const noKey = await app.request(method, url);
      const badKey = await app.request(method, url, { headers: bearer('not-a-configured-key-at-all') });
      outcomes.push(`${method} ${path} no key ${noKey.status} ${noKey.headers['www-authenticate']}`);
      outcomes.push(`${method} ${path} bad key ${badKey.status} ${badKey.headers['www-authenticate']}`);
      for (const role of ROLE_NAMES) {
        const { status } = await app.request(method, url, { headers: bearer(KEYS[role]) });
        const refused = status === 401 || status === 403 || status === 429;
        outcomes.push(`${method} ${path} ${role} ${allowed.includes(role) ? (refused ? `refused ${status}` : 'served') : status}`);
      }
    }
    const expected = servedRoutes(app.app).flatMap(([method, path]) => {
      const allowed = allowedRoles(method, path);
      if (allowed === 'public') return [];
      return [
        `${method} ${path} no key 401 Bearer realm="timeline"`,
        `${method} ${path} bad key 401 Bearer realm="timeline", error="invalid_token"`,
        ...ROLE_NAMES.map((role) => `${method} ${path} ${role} ${allowed.includes(role) ? 'served' : 403}`),
      ];
    });
    expect(outcomes).toEqual(expected);
    expect(await headPosition(app, bearer(KEYS.reader))).toBe(before);
  });

  it('serves /health and /docs without a key', async () => {
    for (const [method, path] of servedRoutes(app.app)) {
      if (allowedRoles(method, path) !== 'public' || path.endsWith('LICENSE') || isWebPageRoute(path)) continue;
      const { status } = await app.request(method, path.replace('*', 'swagger-ui-bundle.js'));
      expect({ method, path, status }).toEqual({ method, path, status: 200 });
    }
  });

  const auditRoutes = () => servedRoutes(app.app).filter(([method, path]) => method === 'GET' && path.startsWith('/v1/audit/'));
  /** The same audit route spelled so the URL text no longer starts with `/v1/audit`, which the router still matches. */
  const encodedVariants = (path: string) => [
    path.replace('/v1/audit/', '/v1/%61udit/'),
    path.replace('/v1/audit/', '/v1/%61%75%64%69%74/'),
    path.replace('/v1/audit/', '/%76%31/audit/'),
    path.replace('/v1/audit/', '/v1/aud%69t/'),
  ];

  it('answers 403 to a reader or editor reaching an audit route through a percent-encoded path, and serves an auditor there', async () => {
    const outcomes: string[] = [];
    for (const [, path] of auditRoutes()) {
      for (const url of encodedVariants(path)) {
        for (const role of ['reader', 'editor', 'auditor'] as const) {
          const { status } = await rawRequest(port, `GET ${url} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS[role]}\r\nConnection: close\r\n\r\n`);
          outcomes.push(`${url} ${role} ${status === 403 ? 403 : status === 401 ? 401 : 'served'}`);
        }
      }
    }
    const expected = auditRoutes().flatMap(([, path]) =>
      encodedVariants(path).flatMap((url) => [`${url} reader 403`, `${url} editor 403`, `${url} auditor served`]),
    );
    expect(outcomes).toEqual(expected);
  });

  it('answers 403 to a reader or editor sending an absolute-form request target for an audit route', async () => {
    const outcomes: string[] = [];
    for (const [, path] of auditRoutes()) {
      for (const target of [`http://x${path}`, `http://127.0.0.1:${port}${path}`, `http://x${encodedVariants(path)[0]}`]) {
        for (const role of ['reader', 'editor'] as const) {
          const { status } = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEYS[role]}\r\nConnection: close\r\n\r\n`);
          // The router may refuse the form outright (400/404); what it must never do is serve it.
          outcomes.push(`${target} ${role} ${status >= 200 && status < 300 ? 'served' : 'refused'}`);
        }
      }
    }
    expect(outcomes.filter((outcome) => outcome.endsWith('served'))).toEqual([]);
    expect(outcomes.length).toBe(auditRoutes().length * 6);
  });
});

describe('binding and /health', () => {
  it('refuses to start on 0.0.0.0 without API keys: one line naming HOST, exit code 2', () => {
    const env = { ...process.env, HOST: '0.0.0.0', TIMELINE_API_KEYS: '', PORT: '0', LOG_LEVEL: 'silent', TIMELINE_DATA_DIR: '/nonexistent/never-created' };
    const result = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/main.ts'], {
      cwd: join(__dirname, '..', '..'),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^timeline: configuration error: HOST: 0\.0\.0\.0 is not a loopback address/)]);
  });

  describe('with keys', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ env: { TIMELINE_API_KEYS: `${KEYS.reader}:reader` } });
    });
    afterAll(() => app.close());

    const health = async (remoteAddress: string) => {
      const response = await app.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/health', remoteAddress });
      return { status: response.statusCode, body: JSON.parse(response.body) };
    };

    it('answers /health to a client on another machine with up or down only', async () => {
      for (const address of ['203.0.113.5', '2001:db8::5', '::ffff:192.0.2.1']) {
        expect(await health(address)).toEqual({ status: 200, body: { status: 'ok' } });
      }
    });

    it('answers /health to a loopback client with the store head and each projection', async () => {
      const { status, body } = await health('127.0.0.1');
      expect(status).toBe(200);
      expect(body.details.eventStore).toEqual({ status: 'up', head: expect.any(Number) });
      expect(Object.keys(body.details)).toEqual(expect.arrayContaining(['eventStore', 'projections']));
    });
  });
});
