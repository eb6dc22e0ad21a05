import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLITE_FILE } from '../../src/bootstrap/open-storage';
import { Kysely, SqliteDialect } from 'kysely';
import { ReadModelTransaction, SqliteReadModelDatabase } from '../../src/database/read-model-database';
import { FOREVER, ReadModelSchema } from '../../src/database/schema';
import { currentSegmentsFrom } from '../../src/projections/knowledge/status-timeline.projector';
import { SqliteDatabase, openConnection } from '../../src/database/sqlite-database';
import { SqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { systemClock } from '../../src/platform/clock';
import { aClaim, aDevelopment, aSource, created } from '../support/builders';
import { startTestApp } from '../support/test-app';

/** The rows SQLite's statistics say a table has (the first figure of its indexes' `stat`). */
function rowsInStatistics(db: ReturnType<typeof openConnection>, table: string): number {
  const row = db.prepare('SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx IS NOT NULL LIMIT 1').get(table) as { stat: string } | undefined;
  return row ? Number(row.stat.split(' ')[0]) : 0;
}

/** A subscription's page: SqliteEventStore's read of the log after a position. */
const LOG_PAGE = 'SELECT * FROM events WHERE position > ? ORDER BY position LIMIT 500';
const planOf = (db: ReturnType<typeof openConnection>, query: string, ...parameters: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...parameters) as { detail: string }[]).map((step) => step.detail);
const BY_ROWID = [expect.stringMatching(/^SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)/)];

describe('planner statistics on the embedded store', () => {
  it('follow a log that grows from empty, so reading the log after a position never scans it whole', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timeline-statistics-'));
    const app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite', TIMELINE_RATE_LIMIT: '0' } });
    try {
      created(await app.post('/v1/sources', aSource()));
      created(await app.post('/v1/developments', aDevelopment({ id: 'd' })));
      // One at a time: each write is projected in a batch of its own, as on a quiet server.
      for (let i = 0; i < 300; i++) created(await app.post('/v1/developments/d/claims', aClaim({ quote: `claim ${i}` })));
    } finally {
      await app.close();
    }
    const db = openConnection(join(dataDir, SQLITE_FILE), { readonly: true });
    try {
      for (const table of ['events', 'claim_versions']) {
        const { count } = db.prepare(`SELECT count(*) AS count FROM ${table}`).get() as { count: number };
        expect(count).toBeGreaterThanOrEqual(300);
        // Refreshed at least when the log had half of what it has now.
        expect(rowsInStatistics(db, table)).toBeGreaterThanOrEqual(count / 2);
      }
      expect(planOf(db, LOG_PAGE, 290)).toEqual(BY_ROWID);
    } finally {
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reach every connection already open when they are refreshed (this process\'s readers, read-only ones of other threads), not only the writer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timeline-statistics-'));
    const sqlite = new SqliteDatabase(join(dataDir, SQLITE_FILE));
    const opened: ReturnType<typeof openConnection>[] = [];
    try {
      const readModel = new SqliteReadModelDatabase(sqlite);
      await readModel.migrate();
      const store = new SqliteEventStore(sqlite, systemClock);
      const event = (i: number) => ({ eventId: `e-${i}`, type: 'Noted', data: { text: 'x'.repeat(300) }, metadata: { schemaVersion: 1, correlationId: 'c', causationId: 'c', actor: 'test' } });
      await store.append('s-0', [event(0)], 'any');
      // Statistics of a log of one event, read by every connection as it plans.
      await readModel.refreshStatistics();
      // A read worker's connection, open before the log grew.
      const readOnly = openConnection(sqlite.file, { readonly: true });
      opened.push(readOnly);
      const readers = [sqlite.logReader, sqlite.queryReader, readOnly];
      const pages = readers.map((reader) => reader.prepare(LOG_PAGE));
      for (const page of pages) page.all(0);
      for (let i = 1; i < 3000; i += 100) await store.append(`s-${i}`, Array.from({ length: 100 }, (_, j) => event(i + j)), 'any');

      await readModel.refreshStatistics();

      // Each goes on reading with the statement it prepared before, as the store's readers do.
      for (const [i, reader] of readers.entries()) expect(pages[i].all(2990)).toHaveLength(3001 - 2990);
      for (const connection of [sqlite.writer, ...readers]) expect(planOf(connection, LOG_PAGE, 2990)).toEqual(BY_ROWID);
    } finally {
      for (const connection of opened) connection.close();
      sqlite.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("let a status timeline's re-derivation read only the segments that end at or after the change, by an index range, however many instants the timeline holds", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'timeline-statistics-'));
    const app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite', TIMELINE_RATE_LIMIT: '0' } });
    const hour = (n: number) => new Date(Date.UTC(2025, 2, 1) + n * 3_600_000).toISOString();
    try {
      created(await app.post('/v1/sources', aSource()));
      created(await app.post('/v1/developments', aDevelopment({ id: 'd', claim: aClaim({ reportedAt: hour(0) }) })));
      // Each claim an hour after the one before: a segment each.
      for (let i = 1; i < 120; i++) created(await app.post('/v1/developments/d/claims', aClaim({ reportedAt: hour(i) })));
    } finally {
      await app.close();
    }
    const db = openConnection(join(dataDir, SQLITE_FILE), { readonly: true });
    const kysely = new Kysely<ReadModelSchema>({ dialect: new SqliteDialect({ database: db }) });
    try {
      const segments = (changedFrom: number) => currentSegmentsFrom(kysely as unknown as ReadModelTransaction, 'd', changedFrom).compile();
      const { sql, parameters } = segments(Date.parse(hour(100)));
      expect(planOf(db, sql, ...parameters)).toContainEqual(
        expect.stringMatching(/^SEARCH status_segments USING INDEX status_segments_by_development \(development_id=\? AND sys_to=\? AND known_from>\?\)/),
      );
      // The same segments as the plain condition, at the timeline's instants, between them, before the first and after the last.
      const ends = db.prepare('SELECT known_from, known_to FROM status_segments WHERE development_id = ? AND sys_to = ? AND known_to >= ? ORDER BY known_from');
      expect((ends.all('d', FOREVER, Number.MIN_SAFE_INTEGER) as unknown[]).length).toBe(120);
      for (const changedFrom of [Number.MIN_SAFE_INTEGER, Date.parse(hour(0)), Date.parse(hour(0)) + 1, Date.parse(hour(57)), Date.parse(hour(57)) - 1, Date.parse(hour(119)), Date.parse(hour(200))]) {
        const query = segments(changedFrom);
        const found = (db.prepare(query.sql).all(...query.parameters) as { known_from: number; known_to: number }[]).map(({ known_from, known_to }) => ({ known_from, known_to }));
        expect(found.sort((a, b) => a.known_from - b.known_from)).toEqual(ends.all('d', FOREVER, changedFrom));
      }
    } finally {
      await kysely.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
