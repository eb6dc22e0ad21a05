import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { READ_MODEL_DATABASE, ReadModelDatabase } from '../../src/database/read-model-database';
import { KnowledgeFilter, TimePoint } from '../../src/domain/knowledge/knowledge.query';
import { DEVELOPMENT_STATUSES } from '../../src/domain/knowledge/status.rules';
import { EVENT_STORE, EventStore } from '../../src/event-store/event-store.port';
import { problemFor } from '../../src/http/problem';
import { KnowledgeReadWorkers, PooledKnowledgeQueries, ReadWorkerLostError } from '../../src/projections/knowledge/knowledge-read-workers';
import { KnowledgeQueries } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../src/projections/projection-gate';
import { ArticleSeeder } from '../../src/seed/article-seeder';
import { aDevelopment, aSource, created } from '../support/builders';
import { TestApp, startTestApp } from '../support/test-app';

const onSqlite = process.env.TIMELINE_TEST_STORE === 'postgres' ? describe.skip : describe;

/** The pool's threads, to stop one as a crash would. */
const threadsOf = (queries: KnowledgeQueries) =>
  ((queries as unknown as { workers: { workers: { thread: { terminate(): Promise<number> } }[] } }).workers.workers).map((worker) => worker.thread);

onSqlite('knowledge queries on read workers', () => {
  let t: TestApp;
  let pooled: KnowledgeQueries;
  let inThread: KnowledgeQueries;
  const now = Date.now();
  /** After the seed is recorded. */
  const later = now + 3_600_000;
  const points: TimePoint[] = [
    ...['2022-02-01', '2023-06-01', '2024-10-15', '2024-12-31', '2025-06-01'].map((day) => ({ asOfMs: Date.parse(day), recordedAsOfMs: later })),
    { asOfMs: later, recordedAsOfMs: later },
    { asOfMs: later, recordedAsOfMs: Date.parse('2020-01-01') },
  ];

  beforeAll(async () => {
    t = await startTestApp({ env: { TIMELINE_READ_THREADS: '2' } });
    await t.app.get(ArticleSeeder).seed();
    await t.app.get(ProjectionGate).reached(await t.app.get<EventStore>(EVENT_STORE).headPosition());
    pooled = t.app.get(KnowledgeQueries);
    inThread = new KnowledgeQueries(t.app.get<ReadModelDatabase>(READ_MODEL_DATABASE));
  }, 60_000);

  afterAll(() => t?.close());

  it('are the pooled ones when TIMELINE_READ_THREADS is set', () => {
    expect(pooled).toBeInstanceOf(PooledKnowledgeQueries);
  });

  it('answer every page and development exactly as the queries on this thread do, at several points and filters', async () => {
    let developments = 0;
    for (const at of points) {
      const topics = (await inThread.topics(at)).map((topic) => topic.topic);
      const sources = (await inThread.sources(at)).map((source) => source.id);
      const filters: KnowledgeFilter[] = [
        {},
        ...topics.slice(0, 3).map((topic) => ({ topics: [topic] })),
        ...sources.slice(0, 3).map((sourceId) => ({ sourceId })),
        ...DEVELOPMENT_STATUSES.map((status) => ({ status })),
        { searchTerms: ['troops'] },
        { occurredFromMs: Date.parse('2024-10-01'), occurredToMs: Date.parse('2024-12-31'), occurredMatch: 'certainly' },
      ];
      for (const filter of filters) {
        const expected = await inThread.knowledgeAsOf(at, filter, 5);
        expect(await pooled.knowledgeAsOf(at, filter, 5)).toEqual(expected);
        // The page as JSON, written by the worker and handed over: the same bytes, in a Buffer of their own.
        const text = await pooled.knowledgePageText(at, filter, 5);
        expect(Buffer.isBuffer(text.items)).toBe(true);
        expect(text.items.byteLength).toBe(text.items.buffer.byteLength);
        expect({ ...text, items: text.items.toString('utf8') }).toEqual({ ...(await inThread.knowledgePageText(at, filter, 5)), items: JSON.stringify(expected.items) });
        if (expected.next) expect(await pooled.knowledgeAsOf(at, filter, 5, expected.next)).toEqual(await inThread.knowledgeAsOf(at, filter, 5, expected.next));
      }
      for (const { id } of (await inThread.knowledgeAsOf(at, {}, 100)).items) {
        expect(await pooled.developmentAsOf(id, at)).toEqual(await inThread.developmentAsOf(id, at));
        developments++;
      }
      expect(await pooled.developmentAsOf('no-such-development', at)).toBeUndefined();
    }
    // The seed reached the read model: the comparisons above were not of empty pages only.
    expect(developments).toBeGreaterThan(10);
  }, 60_000);

  it('answer like the queries on this thread at random points, limits and filters', async () => {
    const topics = (await inThread.topics(points[5])).map((topic) => topic.topic);
    const sources = (await inThread.sources(points[5])).map((source) => source.id);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: Date.parse('2022-01-01'), max: now }),
        fc.integer({ min: 1, max: 30 }),
        fc.option(fc.constantFrom(...topics), { nil: undefined }),
        fc.option(fc.constantFrom(...sources), { nil: undefined }),
        fc.option(fc.constantFrom(...DEVELOPMENT_STATUSES), { nil: undefined }),
        async (asOfMs, limit, topic, sourceId, status) => {
          const at = { asOfMs, recordedAsOfMs: later };
          const filter: KnowledgeFilter = { topics: topic === undefined ? undefined : [topic], sourceId, status };
          expect(await pooled.knowledgeAsOf(at, filter, limit)).toEqual(await inThread.knowledgeAsOf(at, filter, limit));
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);

  it('keep read-your-writes: a GET with the write position sees the write', async () => {
    created(await t.post('/v1/sources', aSource()));
    for (let i = 0; i < 5; i++) {
      const write = created(await t.post('/v1/developments', aDevelopment({ id: `harbour-event-${i}`, topics: [`harbour-${i}`] })));
      const page = await t.get(`/v1/knowledge?topic=harbour-${i}&minPosition=${write.position}`);
      expect(page.status).toBe(200);
      expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([`harbour-event-${i}`]);
      expect((await t.get(`/v1/developments/harbour-event-${i}?minPosition=${write.position}`)).status).toBe(200);
    }
  });

  it('replace a worker that stops mid-query and send its queries once more', async () => {
    const at = points[5];
    const expected = await inThread.knowledgeAsOf(at, {}, 50);
    const answers = Array.from({ length: 20 }, () => pooled.knowledgeAsOf(at, {}, 50));
    await Promise.all(threadsOf(pooled).map((thread) => thread.terminate()));
    for (const answer of await Promise.all(answers)) expect(answer).toEqual(expected);
    expect(await pooled.knowledgeAsOf(at, {}, 50)).toEqual(expected);
    expect(threadsOf(pooled)).toHaveLength(2);
  });

  it('fail a query with a 503 when its worker stops twice, never hang', async () => {
    // A worker that cannot open its store stops at start, as does its replacement.
    const workers = new KnowledgeReadWorkers('/nonexistent/timeline.sqlite', 1);
    try {
      const failure = await workers.run({ method: 'knowledgeAsOf', args: [points[0], {}, 5, undefined] }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ReadWorkerLostError);
      expect(problemFor(failure).status).toBe(503);
    } finally {
      await workers.close();
    }
  });

  it('send back a storage error with its name, message and code, so it maps to its status', async () => {
    // A store without the read model's tables: SQLite refuses the query, and the worker goes on.
    const dir = mkdtempSync(join(tmpdir(), 'timeline-read-workers-'));
    const empty = new Database(join(dir, 'empty.sqlite'));
    empty.pragma('journal_mode = WAL');
    empty.close();
    const workers = new KnowledgeReadWorkers(join(dir, 'empty.sqlite'), 1);
    try {
      for (let i = 0; i < 2; i++) {
        const failure = await workers.run({ method: 'knowledgeAsOf', args: [points[0], {}, 5, undefined] }).catch((error: unknown) => error);
        expect(failure).toMatchObject({ name: 'SqliteError', code: 'SQLITE_ERROR', message: expect.stringContaining('no such table') });
      }
    } finally {
      await workers.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
