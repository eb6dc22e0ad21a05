import { KnowledgeAsOfHandler, KnowledgeAsOfQuery } from '../../src/application/queries/knowledge-as-of.handler';
import { KnowledgePageCache, KnowledgePageText } from '../../src/application/queries/knowledge-page-cache';
import { KnowledgeQueries, ReadModelPoint } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../src/projections/projection-gate';

const page = (text: string): KnowledgePageText => ({ items: Buffer.from(text) });

describe('KnowledgePageCache', () => {
  it('serves a page only at the position it was kept for', () => {
    const cache = new KnowledgePageCache(1 << 20);
    cache.set('a', 5n, page('[1]'));
    expect(cache.get('a', 5n)?.items.toString()).toBe('[1]');
    expect(cache.get('a', 6n)).toBeUndefined();
    // Moving on emptied it: going back does not bring the page back either.
    expect(cache.get('a', 5n)).toBeUndefined();
  });

  it('drops the least recently used pages past its byte bound, and keeps none larger than it', () => {
    const cache = new KnowledgePageCache(3 * (1000 + 2 + 64));
    for (const key of ['a', 'b', 'c']) cache.set(key, 1n, page('x'.repeat(1000)));
    cache.get('a', 1n);
    cache.set('d', 1n, page('x'.repeat(1000)));
    expect(['a', 'b', 'c', 'd'].filter((key) => cache.get(key, 1n) !== undefined)).toEqual(['a', 'c', 'd']);
    cache.set('huge', 1n, page('x'.repeat(4000)));
    expect(cache.get('huge', 1n)).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('keeps nothing with a bound of 0', () => {
    expect(new KnowledgePageCache(0).enabled).toBe(false);
  });
});

describe('KnowledgeAsOfHandler with the page cache', () => {
  let points: ReadModelPoint[];
  let reads: number;
  let handler: KnowledgeAsOfHandler;
  const point = (position: bigint, recordedAtMs = 1_000): ReadModelPoint => ({ position, recordedAtMs });

  beforeEach(() => {
    points = [];
    reads = 0;
    const queries = {
      // The point stays where it was last set: each test moves it.
      readModelPoint: async () => (points.length > 1 ? points.shift()! : points[0]),
      knowledgeAsOf: async () => ({ items: [{ read: ++reads }] }),
    } as unknown as KnowledgeQueries;
    handler = new KnowledgeAsOfHandler(queries, {} as ProjectionGate, new KnowledgePageCache(1 << 20));
  });

  const ask = (asOfMs: number, recordedAsOfMs: number, fixedAsOf = true) =>
    handler.execute(new KnowledgeAsOfQuery({ asOfMs, recordedAsOfMs }, { topics: ['t'] }, 100, undefined, undefined, fixedAsOf)).then((p) => p.items.toString());

  it('answers the same request from the cache while the read model stays where it was', async () => {
    points = [point(7n)];
    expect(await ask(500, 2_000)).toBe('[{"read":1}]');
    expect(await ask(500, 2_000)).toBe('[{"read":1}]');
    expect(await ask(600, 2_000)).toBe('[{"read":2}]');
    expect(reads).toBe(2);
  });

  it('shares one page among recordedAsOf at or after the last applied event, and not with one before it', async () => {
    points = [point(7n, 1_000)];
    await ask(500, 1_000);
    await ask(500, 99_999);
    expect(reads).toBe(1);
    await ask(500, 999);
    expect(reads).toBe(2);
  });

  it('reads again once an event was applied', async () => {
    points = [point(7n)];
    await ask(500, 2_000);
    points = [point(8n)];
    expect(await ask(500, 2_000)).toBe('[{"read":2}]');
  });

  it('keeps no page read while an event was applied', async () => {
    points = [point(7n), point(8n), point(8n)];
    await ask(500, 2_000);
    expect(await ask(500, 2_000)).toBe('[{"read":2}]');
    expect(await ask(500, 2_000)).toBe('[{"read":2}]');
  });

  it('keeps no page of "now" (asOf not given)', async () => {
    points = [point(7n)];
    await ask(500, 2_000, false);
    await ask(500, 2_000, false);
    expect(reads).toBe(2);
  });
});
