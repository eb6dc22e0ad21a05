import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeQueries } from '../../src/projections/knowledge/knowledge.queries';
import { ArticleSeeder } from '../../src/seed/article-seeder';
import { aClaim, aDevelopment, aSource, created } from '../support/builders';
import { dropTestSchemas, startTestApp } from '../support/test-app';

/**
 * `/v1/knowledge` pages kept as JSON for the read model's position: the same bytes as without the
 * cache, and never a page from before a write once the write has answered.
 */
describe('/v1/knowledge page cache', () => {
  const queries = [
    'asOf=2024-10-17&limit=500',
    'asOf=2024-10-20&limit=500',
    'asOf=2024-10-24&limit=500',
    'asOf=2024-10-24&limit=2',
    'asOf=2024-10-24&topic=north-korea&limit=500',
    'asOf=2024-10-24&q=troops&limit=500',
    'asOf=2024-10-24&occurredFrom=2024-10-10&limit=500',
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-page-cache-'));
  const cachedTexts = new Map<string, string>();
  let recordedAsOf: string;

  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await dropTestSchemas();
  });

  it('answers a repeated request with the same bytes, and shows a write as soon as it answered', async () => {
    const api = await startTestApp({ dataDir });
    try {
      await api.app.get(ArticleSeeder).seed();
      recordedAsOf = (await api.get('/v1/knowledge?asOf=2024-10-24&limit=1')).body.recordedAsOf;
      for (const query of queries) {
        const url = `/v1/knowledge?${query}&recordedAsOf=${recordedAsOf}`;
        const first = await api.get(url);
        const second = await api.get(url);
        expect(first.status).toBe(200);
        expect(first.headers['content-type']).toMatch(/^application\/json/);
        expect(second.text).toBe(first.text);
        cachedTexts.set(query, first.text);
      }
      // The next page, by its cursor (which carries recordedAsOf), from the cache too.
      const cursor = JSON.parse(cachedTexts.get('asOf=2024-10-24&limit=2')!).nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      const next = `asOf=2024-10-24&limit=2&cursor=${encodeURIComponent(cursor)}`;
      const nextPage = await api.get(`/v1/knowledge?${next}`);
      expect(nextPage.body.items).toHaveLength(2);
      expect((await api.get(`/v1/knowledge?${next}`)).text).toBe(nextPage.text);
      cachedTexts.set(next, nextPage.text);
      // The bytes put together around the cached items are JSON.stringify's.
      for (const text of cachedTexts.values()) expect(JSON.stringify(JSON.parse(text))).toBe(text);
      const head = await api.request('HEAD', `/v1/knowledge?${queries[0]}&recordedAsOf=${recordedAsOf}`);
      expect([head.status, head.text, head.headers['content-length']]).toEqual([200, '', String(Buffer.byteLength(cachedTexts.get(queries[0])!))]);
      const before = await api.get('/v1/knowledge?asOf=2024-10-24&limit=500');
      expect(before.body.items.map((item: { id: string }) => item.id)).not.toContain('vestby-oil-spill');

      created(await api.post('/v1/sources', aSource()));
      created(await api.post('/v1/developments', aDevelopment({ claim: aClaim({ reportedAt: '2024-10-19' }) })));

      const after = await api.get('/v1/knowledge?asOf=2024-10-24&limit=500');
      expect(after.body.items.map((item: { id: string }) => item.id)).toContain('vestby-oil-spill');
      // As recorded before the write, it is still unknown: that page did not change.
      const asRecordedBefore = await api.get(`/v1/knowledge?asOf=2024-10-24&limit=500&recordedAsOf=${recordedAsOf}`);
      expect(asRecordedBefore.text).toBe(cachedTexts.get('asOf=2024-10-24&limit=500'));
    } finally {
      await api.close();
    }
  });

  it('keeps a page as of a time before what a write reaches, and reads again the pages it reaches', async () => {
    const api = await startTestApp();
    try {
      const reads = jest.spyOn(api.app.get(KnowledgeQueries), 'knowledgeAsOf');
      created(await api.post('/v1/sources', aSource()));
      created(await api.post('/v1/developments', aDevelopment({ id: 'spill', claim: aClaim({ reportedAt: '2024-10-10' }) })));
      const page = (asOf: string, limit = 500) => api.get(`/v1/knowledge?asOf=${asOf}&limit=${limit}`);
      const claimsOf = (response: { body: { items: { claims: { reportedAt: string }[] }[] } }) => response.body.items.flatMap((item) => item.claims.map((claim) => claim.reportedAt));
      const on20th = await page('2024-10-20');
      await page('2024-10-24');
      expect(reads).toHaveBeenCalledTimes(2);

      // Reported on the 22nd: the 20th's page stays (the same items as a fresh read), the 24th's is read again.
      created(await api.post('/v1/developments/spill/claims', aClaim({ reportedAt: '2024-10-22' })));
      expect((await page('2024-10-20')).body.items).toEqual(on20th.body.items);
      expect(reads).toHaveBeenCalledTimes(2);
      expect((await page('2024-10-20', 499)).body.items).toEqual(on20th.body.items);
      expect(claimsOf(await page('2024-10-24'))).toEqual(['2024-10-10', '2024-10-22']);
      expect(reads).toHaveBeenCalledTimes(4);

      // Reported on the 15th: it reaches the 20th's page.
      created(await api.post('/v1/developments/spill/claims', aClaim({ reportedAt: '2024-10-15' })));
      expect(claimsOf(await page('2024-10-20'))).toEqual(['2024-10-10', '2024-10-15']);
      // A source registered shows in every view: nothing is kept across it.
      await page('2024-10-01');
      const count = reads.mock.calls.length;
      created(await api.post('/v1/sources', aSource({ id: 'another' })));
      await page('2024-10-01');
      await page('2024-10-20');
      expect(reads).toHaveBeenCalledTimes(count + 2);
    } finally {
      await api.close();
    }
  });

  it.each([
    ['a server that keeps no pages', { TIMELINE_KNOWLEDGE_CACHE_MB: '0' }],
    ['a server that keeps them, reading on a worker thread', { TIMELINE_READ_THREADS: '1' }],
  ])('answers the same bytes as %s', async (_name, env) => {
    const api = await startTestApp({ dataDir, env });
    try {
      for (const [query, text] of cachedTexts) {
        const url = query.includes('cursor=') ? `/v1/knowledge?${query}` : `/v1/knowledge?${query}&recordedAsOf=${recordedAsOf}`;
        // Twice: read, then (where pages are kept) from the cache.
        expect((await api.get(url)).text).toBe(text);
        expect((await api.get(url)).text).toBe(text);
      }
    } finally {
      await api.close();
    }
  });
});
