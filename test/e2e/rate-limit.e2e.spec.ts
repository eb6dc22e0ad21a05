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
  });

  describe('with API keys, per key', () => {
    const first = 'first-reader-key-0123456789';
    const second = 'second-reader-key-0123456789';
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ env: { TIMELINE_API_KEYS: `${first}:reader,${second}:reader`, TIMELINE_RATE_LIMIT: '3' } });
    });
    afterAll(() => api.close());

    it('counts each key on its own', async () => {
      const as = (key: string) => ({ authorization: `Bearer ${key}` });
      for (let i = 0; i < 3; i++) expect((await api.get('/v1/sources', as(first))).status).toBe(200);
      expect((await api.get('/v1/sources', as(first))).status).toBe(429);
      expect((await api.get('/v1/sources', as(second))).status).toBe(200);
    });
  });

  it('is off by default without API keys, and 6000 a minute with them', async () => {
    const { loadConfig } = await import('../../src/platform/app-config');
    expect(loadConfig({}).rateLimitPerMinute).toBe(0);
    expect(loadConfig({ TIMELINE_API_KEYS: 'some-editor-key-0123456789:editor' }).rateLimitPerMinute).toBe(6000);
  });
});
