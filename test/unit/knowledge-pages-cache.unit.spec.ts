import { KnowledgeAsOfHandler, KnowledgeAsOfQuery } from '../../src/application/queries/knowledge-as-of.handler';
import { KnowledgePageText, KnowledgePagesCache, ownBytes } from '../../src/application/queries/knowledge-pages.cache';
import { KnowledgeFilter } from '../../src/domain/knowledge/knowledge.query';
import { KnowledgeCursor, KnowledgeQueries, ReadModelPoint } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../src/projections/projection-gate';

const page = (text: string): KnowledgePageText => ({ items: ownBytes(text) });

describe('KnowledgePagesCache', () => {
  it('serves a page only at the state it was kept for', () => {
    const cache = new KnowledgePagesCache(1 << 20);
    cache.get('a', 'g@5');
    cache.set('a', 'g@5', page('[1]'));
    expect(cache.get('a', 'g@5')?.items.toString()).toBe('[1]');
    expect(cache.get('a', 'g@6')).toBeUndefined();
    // Moving on emptied it: going back does not bring the page back either.
    expect(cache.get('a', 'g@5')).toBeUndefined();
  });

  it('drops a page computed at a state it has left', () => {
    const cache = new KnowledgePagesCache(1 << 20);
    cache.get('a', 'g@5');
    cache.get('b', 'g@6');
    cache.set('a', 'g@5', page('[1]'));
    expect(cache.size).toBe(0);
    cache.set('b', 'g@6', page('[2]'));
    expect(cache.get('b', 'g@6')?.items.toString()).toBe('[2]');
  });

  it('drops the least recently used pages past its byte bound, and keeps none larger than it', () => {
    const cache = new KnowledgePagesCache(3 * (1000 + 2 + 64));
    cache.get('a', 's');
    for (const key of ['a', 'b', 'c']) cache.set(key, 's', page('x'.repeat(1000)));
    cache.get('a', 's');
    cache.set('d', 's', page('x'.repeat(1000)));
    expect(['a', 'b', 'c', 'd'].filter((key) => cache.get(key, 's') !== undefined)).toEqual(['a', 'c', 'd']);
    cache.set('huge', 's', page('x'.repeat(4000)));
    expect(cache.get('huge', 's')).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('keeps nothing with a bound of 0', () => {
    expect(new KnowledgePagesCache(0).enabled).toBe(false);
  });

  it('keeps small pages in bytes of their own, not in a slice of a shared pool it would keep alive', () => {
    const bytes = ownBytes('[]');
    expect(bytes.toString()).toBe('[]');
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    expect(Buffer.from('[]').buffer.byteLength).toBeGreaterThan(2);
  });
});

describe('KnowledgeAsOfHandler with the page cache', () => {
  let points: ReadModelPoint[];
  let reads: number;
  let handler: KnowledgeAsOfHandler;
  const point = (position: bigint, recordedAtMs = 1_000, generation: string | null = 'g'): ReadModelPoint => ({ position, recordedAtMs, generation });

  beforeEach(() => {
    points = [];
    reads = 0;
    const queries = {
      // Each call takes the next point; the last one stays.
      readModelPoint: async () => (points.length > 1 ? points.shift()! : points[0]),
      knowledgeAsOf: async () => ({ items: [{ read: ++reads }] }),
    } as unknown as KnowledgeQueries;
    handler = new KnowledgeAsOfHandler(queries, {} as ProjectionGate, new KnowledgePagesCache(1 << 20));
  });

  const ask = (asOfMs: number, recordedAsOfMs: number, options: { fixedAsOf?: boolean; filter?: KnowledgeFilter; limit?: number; cursor?: KnowledgeCursor } = {}) =>
    handler
      .execute(new KnowledgeAsOfQuery({ asOfMs, recordedAsOfMs }, options.filter ?? { topics: ['t'] }, options.limit ?? 100, options.cursor, undefined, options.fixedAsOf ?? true))
      .then((p) => p.items.toString());

  it('answers the same request from the cache while the read model stays where it was', async () => {
    points = [point(7n)];
    expect(await ask(500, 2_000)).toBe('[{"read":1}]');
    expect(await ask(500, 2_000)).toBe('[{"read":1}]');
    expect(await ask(600, 2_000)).toBe('[{"read":2}]');
    expect(reads).toBe(2);
  });

  it('tells requests apart by every filter, the limit and the cursor', async () => {
    points = [point(7n)];
    const variants: Parameters<typeof ask>[2][] = [
      {},
      { filter: { topics: ['u'] } },
      { filter: { topics: ['t'], sourceId: 's' } },
      { filter: { topics: ['t'], status: 'confirmed' } },
      { filter: { topics: ['t'], occurredFromMs: 1 } },
      { filter: { topics: ['t'], occurredToMs: 1 } },
      { filter: { topics: ['t'], occurredFromMs: 1, occurredMatch: 'certainly' } },
      { filter: { topics: ['t'], searchTerms: ['troops'] } },
      { limit: 10 },
      { cursor: { sortKey: 1, id: 'a' } },
      { cursor: { sortKey: 1, id: 'b' } },
    ];
    for (const variant of variants) await ask(500, 2_000, variant);
    expect(reads).toBe(variants.length);
    for (const variant of variants) await ask(500, 2_000, variant);
    expect(reads).toBe(variants.length);
  });

  it('shares one page among recordedAsOf at or after the latest transaction time applied, and not with one before it', async () => {
    points = [point(7n, 1_000)];
    await ask(500, 1_000);
    await ask(500, 99_999);
    expect(reads).toBe(1);
    await ask(500, 999);
    expect(reads).toBe(2);
  });

  it('reads again once an event was applied, or the read model was rebuilt to the same position', async () => {
    points = [point(7n)];
    await ask(500, 2_000);
    points = [point(8n)];
    expect(await ask(500, 2_000)).toBe('[{"read":2}]');
    points = [point(8n, 1_000, 'rebuilt')];
    expect(await ask(500, 2_000)).toBe('[{"read":3}]');
  });

  it('keeps no page read while an event was applied', async () => {
    // Looked up at 7, applied 8 while reading; another lookup at 7 (an instance behind) must not find it.
    points = [point(7n), point(8n), point(7n), point(7n)];
    await ask(500, 2_000);
    expect(await ask(500, 2_000)).toBe('[{"read":2}]');
  });

  it('keeps no page of "now" (asOf not given)', async () => {
    points = [point(7n)];
    await ask(500, 2_000, { fixedAsOf: false });
    await ask(500, 2_000, { fixedAsOf: false });
    expect(reads).toBe(2);
  });
});
