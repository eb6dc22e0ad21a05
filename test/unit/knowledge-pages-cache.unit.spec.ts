import { KnowledgeAsOfHandler, KnowledgeAsOfQuery } from '../../src/application/queries/knowledge-as-of.handler';
import { KnowledgePagesCache, ReachOfEvents } from '../../src/application/queries/knowledge-pages.cache';
import { CheckpointPoint } from '../../src/projections/projection';
import { KnowledgePageText, ownBytes } from '../../src/projections/knowledge/knowledge.queries';
import { KnowledgeFilter } from '../../src/domain/knowledge/knowledge.query';
import { KnowledgeCursor, KnowledgeQueries, ReadModelPoint } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../src/projections/projection-gate';
import { EventStore } from '../../src/event-store/event-store.port';

const page = (text: string): KnowledgePageText => ({ items: ownBytes(text) });

describe('KnowledgePagesCache', () => {
  const at = (position: number, generation: string | null = 'g'): CheckpointPoint => ({ generation, position: BigInt(position) });
  /** Events that reach back to every time: nothing is kept across them. */
  const everyTime: ReachOfEvents = async () => Number.NEGATIVE_INFINITY;
  const reachingFrom =
    (ms: number, asked: [bigint, bigint][] = []): ReachOfEvents =>
    async (after, upTo) => {
      asked.push([after, upTo]);
      return ms;
    };
  /** A cache at g@5 holding pages as of 100, 200 and 300. */
  const withPages = async (): Promise<KnowledgePagesCache> => {
    const cache = new KnowledgePagesCache(1 << 20);
    await cache.follow(at(5), everyTime);
    for (const asOfMs of [100, 200, 300]) cache.set(`as of ${asOfMs}`, at(5), asOfMs, page(`[${asOfMs}]`));
    return cache;
  };
  const kept = (cache: KnowledgePagesCache, point: CheckpointPoint) => [100, 200, 300].filter((asOfMs) => cache.get(`as of ${asOfMs}`, point) !== undefined);

  it('serves a page only at the point it was kept for', async () => {
    const cache = await withPages();
    expect(cache.get('as of 100', at(5))?.items.toString()).toBe('[100]');
    expect(cache.get('as of 100', at(6))).toBeUndefined();
    expect(cache.get('as of 100', at(5, 'rebuilt'))).toBeUndefined();
  });

  it('keeps, across the events applied since, the pages as of a time before the earliest knowledge time they reach', async () => {
    const cache = await withPages();
    const asked: [bigint, bigint][] = [];
    expect(await cache.follow(at(7), reachingFrom(200, asked))).toBe(true);
    expect(asked).toEqual([[5n, 7n]]);
    expect(kept(cache, at(7))).toEqual([100]);
    expect(kept(cache, at(5))).toEqual([]);
    // Events that reach no view (a development recorded, alone) keep every page.
    expect(await cache.follow(at(8), reachingFrom(Number.POSITIVE_INFINITY))).toBe(true);
    expect(kept(cache, at(8))).toEqual([100]);
  });

  it('empties itself for a read model rebuilt (a new generation), whatever the position, without reading the log', async () => {
    const cache = await withPages();
    const asked: [bigint, bigint][] = [];
    expect(await cache.follow(at(9, 'rebuilt'), reachingFrom(Number.POSITIVE_INFINITY, asked))).toBe(true);
    expect(asked).toEqual([]);
    expect(cache.size).toBe(0);
  });

  it('serves no request that read an earlier point, and keeps its pages for the later one', async () => {
    const cache = await withPages();
    expect(await cache.follow(at(4), everyTime)).toBe(false);
    expect(kept(cache, at(5))).toEqual([100, 200, 300]);
  });

  it('reads no events when it holds no page', async () => {
    const cache = new KnowledgePagesCache(1 << 20);
    const asked: [bigint, bigint][] = [];
    await cache.follow(at(5), reachingFrom(0, asked));
    await cache.follow(at(6), reachingFrom(0, asked));
    expect(asked).toEqual([]);
  });

  it('follows a move another request made while it read the events, from where it was', async () => {
    const cache = await withPages();
    let release!: (ms: number) => void;
    const slow = cache.follow(at(7), () => new Promise<number>((resolve) => (release = resolve)));
    // A request that read a later point meanwhile moves it on first.
    expect(await cache.follow(at(8), reachingFrom(300))).toBe(true);
    release(Number.NEGATIVE_INFINITY);
    // The slow one's point is behind the cache now: it serves nothing, and drops nothing.
    expect(await slow).toBe(false);
    expect(kept(cache, at(8))).toEqual([100, 200]);
  });

  it('reads the events once for the requests that read the same new point meanwhile, and again after a failed read', async () => {
    const cache = await withPages();
    const asked: [bigint, bigint][] = [];
    const both = await Promise.all([cache.follow(at(7), reachingFrom(300, asked)), cache.follow(at(7), reachingFrom(300, asked))]);
    expect(both).toEqual([true, true]);
    expect(asked).toEqual([[5n, 7n]]);
    const failing: ReachOfEvents = async () => {
      throw new Error('log unreadable');
    };
    await expect(Promise.all([cache.follow(at(8), failing), cache.follow(at(8), failing)])).rejects.toThrow('log unreadable');
    expect(await cache.follow(at(8), reachingFrom(300, asked))).toBe(true);
    expect(asked).toEqual([
      [5n, 7n],
      [7n, 8n],
    ]);
    expect(kept(cache, at(8))).toEqual([100, 200]);
  });

  it('drops a page computed at a point it has left', async () => {
    const cache = new KnowledgePagesCache(1 << 20);
    await cache.follow(at(5), everyTime);
    await cache.follow(at(6), everyTime);
    cache.set('a', at(5), 0, page('[1]'));
    expect(cache.size).toBe(0);
    cache.set('b', at(6), 0, page('[2]'));
    expect(cache.get('b', at(6))?.items.toString()).toBe('[2]');
  });

  it('drops the least recently used pages past its byte bound, and keeps none larger than it', async () => {
    const cache = new KnowledgePagesCache(3 * (1000 + 2 + 64));
    const s = at(1);
    await cache.follow(s, everyTime);
    for (const key of ['a', 'b', 'c']) cache.set(key, s, 0, page('x'.repeat(1000)));
    cache.get('a', s);
    cache.set('d', s, 0, page('x'.repeat(1000)));
    expect(['a', 'b', 'c', 'd'].filter((key) => cache.get(key, s) !== undefined)).toEqual(['a', 'c', 'd']);
    cache.set('huge', s, 0, page('x'.repeat(4000)));
    expect(cache.get('huge', s)).toBeUndefined();
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

  /** The log: event n at position n. */
  let log: { position: bigint; type: string; data: object }[];
  const claimAt = (reportedAt: string) => ({ type: 'ClaimReported', data: { developmentId: 'd', claimId: 'c', sourceId: 's', stance: 'asserts', reportedAt } });
  const logged = (...events: { type: string; data: object }[]) => {
    for (const event of events) log.push({ position: BigInt(log.length + 1), ...event });
  };

  beforeEach(() => {
    points = [];
    reads = 0;
    log = [];
    const queries = {
      // Each call takes the next point; the last one stays.
      readModelPoint: async () => (points.length > 1 ? points.shift()! : points[0]),
      knowledgePageText: async () => ({ items: ownBytes(JSON.stringify([{ read: ++reads }])) }),
    } as unknown as KnowledgeQueries;
    const store = {
      readAll: async ({ after = 0n, limit = Infinity }: { after?: bigint; limit?: number }) =>
        log.filter((event) => event.position > after).slice(0, limit).map((event) => ({ ...event, streamId: 's', streamVersion: 0n, eventId: `e${event.position}`, metadata: {}, recordedAt: '2025-01-01T00:00:00.000Z' })),
    } as unknown as EventStore;
    handler = new KnowledgeAsOfHandler(queries, {} as ProjectionGate, new KnowledgePagesCache(1 << 20), store);
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

  it('reads again once an event reaching its asOf was applied, or the read model was rebuilt to the same position', async () => {
    logged(...Array.from({ length: 7 }, () => claimAt('1970-01-01')));
    points = [point(7n)];
    await ask(500, 2_000);
    logged({ type: 'SourceRegistered', data: { sourceId: 's', name: 's', kind: 'media' } });
    points = [point(8n)];
    expect(await ask(500, 2_000)).toBe('[{"read":2}]');
    points = [point(8n, 1_000, 'rebuilt')];
    expect(await ask(500, 2_000)).toBe('[{"read":3}]');
  });

  it('keeps a page as of a time before what the events applied since reach, and reads the one as of after', async () => {
    const day = (d: string) => Date.parse(d);
    logged(claimAt('2024-10-01'));
    points = [point(1n)];
    await ask(day('2024-10-17'), 2_000);
    await ask(day('2024-10-24'), 2_000);
    logged(claimAt('2024-10-20'), { type: 'DevelopmentRecorded', data: { developmentId: 'e', title: 'e' } }, claimAt('2024-10-22'));
    points = [point(4n)];
    expect(await ask(day('2024-10-17'), 2_000)).toBe('[{"read":1}]');
    expect(await ask(day('2024-10-24'), 2_000)).toBe('[{"read":3}]');
    // A claim reported as of the page's own asOf reaches it.
    logged(claimAt('2024-10-17'));
    points = [point(5n)];
    expect(await ask(day('2024-10-17'), 2_000)).toBe('[{"read":4}]');
  });

  it('keeps nothing when the log it reads does not reach the read model (a replica behind it)', async () => {
    logged(claimAt('2024-10-01'));
    points = [point(1n)];
    await ask(Date.parse('2024-10-17'), 2_000);
    // Applied up to 2 (by another instance, from the leader); this log holds only 1.
    points = [point(2n)];
    expect(await ask(Date.parse('2024-10-17'), 2_000)).toBe('[{"read":2}]');
  });

  it('empties itself when more events were applied than it reads to follow them', async () => {
    logged(claimAt('2024-10-01'));
    points = [point(1n)];
    await ask(Date.parse('2024-10-17'), 2_000);
    logged(...Array.from({ length: 1000 }, () => claimAt('2030-01-01')));
    points = [point(1001n)];
    expect(await ask(Date.parse('2024-10-17'), 2_000)).toBe('[{"read":1}]');
    logged(claimAt('2030-01-01'));
    points = [point(1002n)];
    expect(await ask(Date.parse('2024-10-17'), 2_000)).toBe('[{"read":1}]');
    logged(...Array.from({ length: 1001 }, () => claimAt('2030-01-01')));
    points = [point(2003n)];
    expect(await ask(Date.parse('2024-10-17'), 2_000)).toBe('[{"read":2}]');
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
