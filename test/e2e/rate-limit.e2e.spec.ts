import { startTestApp, TestApp } from '../support/test-app';

describe('rate limiting', () => {
  describe('without API keys, per client address', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { TIMELINE_RATE_LIMIT: '5' } });
    });
    afterAll(() => api.close());

    it('answers 429 problem details with Retry-After past the limit, and never limits /health', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await api.get('/v1/sources')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);

      const refused = await api.get('/v1/sources');
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, title: 'Too many requests' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

      expect((await api.get('/health')).status).toBe(200);
    });

    it('counts each client address on its own', async () => {
      const fastify = api.app.getHttpAdapter().getInstance();
      const from = async (remoteAddress: string) => (await fastify.inject({ method: 'GET', url: '/v1/sources', remoteAddress })).statusCode;
      while ((await from('127.0.0.3')) !== 429);
      expect(await from('127.0.0.4')).toBe(200);
    });
  });

  describe('with API keys, per key', () => {
    const first = 'first-reader-key-0123456789';
    const second = 'second-reader-key-0123456789';
    const thirdKey = 'third-reader-key-0123456789';
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { TIMELINE_API_KEYS: `${first}:reader,${second}:reader,${thirdKey}:reader`, TIMELINE_RATE_LIMIT: '3' } });
    });
    afterAll(() => api.close());

    it('counts each key on its own', async () => {
      const as = (key: string) => ({ authorization: `Bearer ${key}` });
      for (let i = 0; i < 3; i++) expect((await api.get('/v1/sources', as(first))).status).toBe(200);
      expect((await api.get('/v1/sources', as(first))).status).toBe(429);
      expect((await api.get('/v1/sources', as(second))).status).toBe(200);
    });

    it('counts a key across all routes together, not per route', async () => {
      const third = { authorization: `Bearer ${thirdKey}` };
      expect((await api.get('/v1/sources', third)).status).toBe(200);
      expect((await api.get('/v1/knowledge', third)).status).toBe(200);
      expect((await api.get('/v1/events', third)).status).toBe(200);
      const refused = await api.get('/v1/projections', third);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('failed authentications, per client address', () => {
    const key = 'a-reader-key-0123456789';
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { TIMELINE_API_KEYS: `${key}:reader`, TIMELINE_AUTH_FAILURE_LIMIT: '3' } });
    });
    afterAll(() => api.close());

    const from = async (remoteAddress: string, authorization?: string) => {
      const headers = authorization ? { authorization } : undefined;
      const response = await api.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/v1/sources', remoteAddress, headers });
      return { status: response.statusCode, retryAfter: response.headers['retry-after'], type: response.headers['content-type'] };
    };

    it('answers 429 with Retry-After once an address has failed too often, before looking at its key, and only to that address', async () => {
      const guesses = [];
      for (let i = 0; i < 3; i++) guesses.push((await from('198.51.100.7', `Bearer guessed-key-${i}-0123456789`)).status);
      expect(guesses).toEqual([401, 401, 401]);

      const next = await from('198.51.100.7', 'Bearer guessed-key-3-0123456789');
      expect(next.status).toBe(429);
      expect(next.type).toMatch(/application\/problem\+json/);
      expect(Number(next.retryAfter)).toBeGreaterThan(0);
      // The right key gets no try either, so the 429 tells a guesser nothing.
      expect((await from('198.51.100.7', `Bearer ${key}`)).status).toBe(429);
      expect((await from('198.51.100.8', `Bearer ${key}`)).status).toBe(200);
    });

    it('does not count requests that sent no key, so clients sharing an address are not locked out by them', async () => {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await from('198.51.100.9')).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      expect((await from('198.51.100.9', `Bearer ${key}`)).status).toBe(200);
    });

    it('counts the addresses of one IPv6 /64 together, since one host holds them all', async () => {
      const guesses = [];
      for (let i = 0; i < 3; i++) guesses.push((await from(`2001:db8:1:2::${i + 1}`, `Bearer guessed-key-${i}-0123456789`)).status);
      expect(guesses).toEqual([401, 401, 401]);
      expect((await from('2001:db8:1:2:ffff::9', `Bearer ${key}`)).status).toBe(429);
      expect((await from('2001:db8:1:3::1', `Bearer ${key}`)).status).toBe(200);
    });

    it('refuses a body without a key before reading it: malformed JSON answers 401, not 400, and counts as no guess', async () => {
      const post = (headers: Record<string, string>) =>
        api.app.getHttpAdapter().getInstance().inject({ method: 'POST', url: '/v1/sources', remoteAddress: '198.51.100.10', headers: { 'content-type': 'application/json', ...headers }, payload: '{"name":' });
      const refused = await post({});
      expect({ status: refused.statusCode, type: refused.headers['content-type'], challenge: refused.headers['www-authenticate'] }).toEqual({
        status: 401,
        type: expect.stringMatching(/application\/problem\+json/),
        challenge: 'Bearer realm="timeline"',
      });
      // A wrong key is refused before the body too, and counted.
      expect((await post({ authorization: 'Bearer guessed-key-9-0123456789' })).statusCode).toBe(401);
      // A reader key is known before the body is read; the body is then parsed (400), and the role checked after.
      expect((await post({ authorization: `Bearer ${key}` })).statusCode).toBe(400);
    });
  });

  it('is off by default without API keys, and 6000 a minute with them', async () => {
    const { loadConfig } = await import('../../src/platform/app-config');
    expect(loadConfig({}).rateLimitPerMinute).toBe(0);
    expect(loadConfig({ TIMELINE_API_KEYS: 'some-editor-key-0123456789:editor' }).rateLimitPerMinute).toBe(6000);
  });
});
