import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTS_TABLE, PAGE_SIZE, PeerStore, PeerSystem, STREAM_LENGTH, SystemOptions } from './peer-system';

/** Timeline's `events` table and index (migrations/0001_event_log.ts), the counts table and a checkpoint. */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, stream_version BIGINT NOT NULL,
    event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL,
    CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version));
  CREATE INDEX IF NOT EXISTS events_type_position ON events (type, position);
  CREATE TABLE IF NOT EXISTS ${COUNTS_TABLE} (stream_id TEXT PRIMARY KEY, events BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS peer_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);`;

type Row = { position: number; stream_id: string; data: string; metadata: string };

function connect(file: string): Database.Database {
  mkdirSync(join(file, '..'), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

/**
 * Plain better-sqlite3 loops on Timeline's table, at Timeline's durability (WAL, synchronous=FULL):
 * one transaction per append, never batched across appends; the expected version is checked by the
 * UNIQUE (stream_id, stream_version) constraint alone (the insert names the version it expects next).
 */
function rawStore(db: Database.Database): PeerStore {
  const insert = db.prepare('INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const append = db.transaction((streamId: string, events: readonly { eventId: string; type: string; data: object; metadata: object }[], eventsInStream: number) => {
    const recordedAt = new Date().toISOString();
    events.forEach((event, i) => insert.run(streamId, eventsInStream + i, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), recordedAt));
  });
  return {
    async append(streamId, events, eventsInStream) {
      append.immediate(streamId, events, eventsInStream);
    },
  };
}

export async function open(options: SystemOptions): Promise<PeerSystem> {
  const logFile = join(options.dir, 'log', 'raw.sqlite');
  const appendsFile = join(options.dir, 'appends', 'raw.sqlite');
  const log = connect(logFile);
  const appends = connect(appendsFile);
  const page = log.prepare<[number, number], Row>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?');
  const stream = log.prepare<[string], Row>('SELECT * FROM events WHERE stream_id = ? ORDER BY stream_version');
  const upsert = log.prepare(`INSERT INTO ${COUNTS_TABLE} (stream_id, events) VALUES (?, 1) ON CONFLICT (stream_id) DO UPDATE SET events = events + 1`);
  const checkpoint = log.prepare('INSERT INTO peer_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position');
  const applyPage = log.transaction((name: string, rows: readonly Row[]) => {
    for (const row of rows) upsert.run(row.stream_id);
    checkpoint.run(name, rows[rows.length - 1].position);
  });
  // Parsed as every system parses what it reads: data and metadata into objects.
  const parse = (row: Row) => ({ ...row, data: JSON.parse(row.data) as unknown, metadata: JSON.parse(row.metadata) as unknown });
  return {
    log: rawStore(log),
    appends: rawStore(appends),
    files: [join(options.dir, 'log'), join(options.dir, 'appends')],
    async readLog() {
      let after = 0;
      let read = 0;
      for (;;) {
        const rows = page.all(after, PAGE_SIZE).map(parse);
        read += rows.length;
        if (rows.length < PAGE_SIZE) return read;
        after = rows[rows.length - 1].position;
      }
    },
    async readStream(streamId) {
      return stream.all(streamId).map(parse).length;
    },
    async resetCounts() {
      log.exec(`DELETE FROM ${COUNTS_TABLE}`);
    },
    async rebuild(name) {
      let after = 0;
      for (;;) {
        const rows = page.all(after, PAGE_SIZE);
        if (rows.length === 0) return;
        rows.forEach(parse);
        applyPage.immediate(name, rows);
        after = rows[rows.length - 1].position;
      }
    },
    async counts() {
      const row = log
        .prepare(`SELECT count(*) AS streams, coalesce(sum(events), 0) AS events, coalesce(sum(events <> ?), 0) AS off FROM ${COUNTS_TABLE}`)
        .get(STREAM_LENGTH) as { streams: number; events: number; off: number };
      return { streams: row.streams, events: row.events, streamsNotAtLength: row.off };
    },
    async facts() {
      return [
        `journal_mode=${String(appends.pragma('journal_mode', { simple: true }))}`,
        `synchronous=${String(appends.pragma('synchronous', { simple: true }))} (2 = FULL)`,
        `busy_timeout=${String(appends.pragma('busy_timeout', { simple: true }))} ms`,
      ];
    },
    async close() {
      log.close();
      appends.close();
    },
  };
}
