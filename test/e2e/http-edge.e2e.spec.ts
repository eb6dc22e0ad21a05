import { symbols } from 'pino';
import { aSource } from '../support/builders';
import { listening, rawConnection, RawConnection, settlesWithin } from '../support/raw-http';
import { startTestApp, TestApp } from '../support/test-app';

/** Far above the small timeouts set below: a connection still open then is one the server never closes. */
const GENEROUS_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('timeouts on a listening server', () => {
  let app: TestApp;
  let port: number;
  const connections: RawConnection[] = [];
  const connect = async () => {
    const connection = await rawConnection(port);
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        TIMELINE_HEADERS_TIMEOUT_MS: '300',
        TIMELINE_REQUEST_TIMEOUT_MS: '600',
        TIMELINE_KEEP_ALIVE_TIMEOUT_MS: '300',
        TIMELINE_SSE_HEARTBEAT_MS: '100',
      },
    });
    port = await listening(app.app);
  });

  afterAll(async () => {
    for (const { socket } of connections) socket.destroy();
    await app?.close();
  });

  it('closes a connection whose request headers never finish', async () => {
    const { socket, closed } = await connect();
    socket.write('GET /v1/sources HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => socket.writable && socket.write('a'), 100);
    try {
      expect(await settlesWithin(closed, GENEROUS_MS)).toBe(true);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes a connection whose body trickles in slower than the request timeout allows, storing nothing', async () => {
    const body = JSON.stringify(aSource({ id: 'slow-body-source' }));
    const { socket, closed } = await connect();
    socket.write(`POST /v1/sources HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    let sent = 0;
    // A byte every 100 ms keeps the connection busy, so only the whole-request deadline can end it.
    const drip = setInterval(() => socket.writable && sent < body.length - 1 && socket.write(body[sent++]), 100);
    try {
      expect(await settlesWithin(closed, GENEROUS_MS)).toBe(true);
    } finally {
      clearInterval(drip);
    }
    expect((await app.get('/v1/sources/slow-body-source')).status).toBe(404);
  });

  it('closes an idle keep-alive connection after its response', async () => {
    const { socket, closed, received } = await connect();
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await settlesWithin(closed, GENEROUS_MS)).toBe(true);
    expect(received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('keeps a live event stream open long past the request timeout, still sending heartbeats', async () => {
    const { socket, closed, received } = await connect();
    socket.write('GET /v1/events/live HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n');
    // Five request timeouts and many of node's checks later, the stream must still be there.
    expect(await settlesWithin(closed, 3000)).toBe(false);
    const heartbeats = received().split(': keep-alive').length;
    expect(received()).toMatch(/^HTTP\/1\.1 200/);
    expect(await settlesWithin(closed, 500)).toBe(false);
    expect(received().split(': keep-alive').length).toBeGreaterThan(heartbeats);
  });
});

describe('security headers', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { TIMELINE_API_KEYS: 'a-reader-key-0123456789:reader' } });
  });
  afterAll(() => app?.close());
  const reader = { authorization: 'Bearer a-reader-key-0123456789' };

  it('sends nosniff, no-store and a CSP that allows nothing on API answers and problems alike', async () => {
    for (const response of [await app.get('/v1/sources', reader), await app.get('/v1/sources'), await app.get('/v1/nothing-here', reader), await app.get('/health')]) {
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'cache-control': expect.stringContaining('no-store'),
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      });
    }
  });

  it('serves /docs with a CSP its page can load under: scripts only from files under /docs, inline styles, data: images', async () => {
    const page = await app.get('/docs');
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.headers['x-content-type-options']).toBe('nosniff');

    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    // script-src 'self' runs no inline script and no event-handler attribute.
    expect(scripts.map(([, attributes, body]) => ({ src: /src="([^"]+)"/.test(attributes), inline: body.trim() }))).toEqual(
      scripts.map(() => ({ src: true, inline: '' })),
    );
    expect(page.text).not.toMatch(/\son[a-z]+=/i);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map(([, url]) => url);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset).toMatch(/^\.?\/docs\//);
      const response = await app.get(asset.replace(/^\./, ''));
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
    }
  });
});

describe('request ids', () => {
  let app: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    app = await startTestApp({ env: { LOG_LEVEL: 'info' } });
    // Fastify's request loggers are children of its root logger and write to its stream.
    const log = app.app.getHttpAdapter().getInstance().log as unknown as Record<symbol, unknown>;
    log[symbols.streamSym] = { write: (line: string) => lines.push(line) };
  });
  afterAll(() => app?.close());

  it('answers every response with an X-Request-Id, also the errors fastify raises before Nest', async () => {
    const responses = [
      await app.get('/v1/sources'),
      await app.get('/v1/nothing-here'),
      await app.request('POST', '/v1/sources', { rawBody: '{"broken' }),
      await app.request('POST', '/v1/sources', { rawBody: 'x', headers: { 'content-type': 'text/plain' } }),
      await app.request('POST', '/v1/sources', { body: {} }),
    ];
    expect(responses.map((response) => [response.status, UUID.test(String(response.headers['x-request-id']))])).toEqual([
      [200, true],
      [404, true],
      [400, true],
      [415, true],
      [400, true],
    ]);
    expect(new Set(responses.map((response) => response.headers['x-request-id'])).size).toBe(responses.length);
  });

  it('honours an incoming X-Request-Id that is a short token, and replaces any other', async () => {
    expect((await app.get('/v1/sources', { 'x-request-id': 'lb-7f3a.9c1e:42' })).headers['x-request-id']).toBe('lb-7f3a.9c1e:42');
    for (const bad of ['two words', 'a'.repeat(129), '{"forged":true}', 'ä']) {
      expect(String((await app.get('/v1/sources', { 'x-request-id': bad })).headers['x-request-id'])).toMatch(UUID);
    }
  });

  it('writes the request id in each log line about the request', async () => {
    lines.length = 0;
    await app.get('/v1/sources', { 'x-request-id': 'trace-me-0001' });
    await app.get('/v1/nothing-here', { 'x-request-id': 'trace-me-0002' });
    const logged = lines.map((line) => JSON.parse(line) as { reqId?: string });
    expect(logged.length).toBeGreaterThanOrEqual(4);
    expect(logged.map((line) => line.reqId)).toEqual(logged.map((_, i) => (i < logged.length / 2 ? 'trace-me-0001' : 'trace-me-0002')));
  });
});
