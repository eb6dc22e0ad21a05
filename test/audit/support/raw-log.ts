import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Pool } from 'pg';
import { SQLITE_FILE } from '../../../src/bootstrap/open-storage';
import { AppConfig } from '../../../src/platform/app-config';

type Row = Record<string, unknown>;

/** Direct SQL on the `events` table behind the app's back, as someone with access to the database could. */
export type RawLog = {
  run(sql: string, ...params: unknown[]): Promise<void>;
  rows(sql: string, ...params: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
};

/** `?` placeholders in, the dialect's out. */
export async function rawLog(config: AppConfig): Promise<RawLog> {
  if (config.eventStore === 'sqlite') {
    const db = new Database(join(config.dataDir, SQLITE_FILE));
    db.pragma('busy_timeout = 5000');
    return {
      run: async (sql, ...params) => void db.prepare(sql).run(...params),
      rows: async (sql, ...params) => db.prepare(sql).all(...params) as Row[],
      close: async () => {
        db.close();
      },
    };
  }
  const pool = new Pool({ connectionString: config.databaseUrl, max: 1 });
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    run: async (sql, ...params) => void (await pool.query(numbered(sql), params)),
    rows: async (sql, ...params) => (await pool.query(numbered(sql), params)).rows as Row[],
    close: () => pool.end(),
  };
}

const COLUMNS = ['stream_id', 'stream_version', 'event_id', 'type', 'data', 'metadata', 'recorded_at'] as const;

/** The four ways to rewrite history directly in the table. */
export const tampering = {
  /** Changes the data of the event at `position`. */
  async edit(raw: RawLog, position: number): Promise<void> {
    const [row] = await raw.rows('SELECT data FROM events WHERE position = ?', position);
    const data = JSON.parse(String(row.data));
    await raw.run('UPDATE events SET data = ? WHERE position = ?', JSON.stringify({ ...data, quote: 'forged after the fact' }), position);
  },

  /** Overwrites the data of the event at `position` with text that is not JSON at all. */
  async garble(raw: RawLog, position: number): Promise<void> {
    await raw.run('UPDATE events SET data = ? WHERE position = ?', '{"quote": forged', position);
  },

  async delete(raw: RawLog, position: number): Promise<void> {
    await raw.run('DELETE FROM events WHERE position = ?', position);
  },

  /** Makes room at `position` (moving later rows up by one) and puts a forged event there. */
  async insert(raw: RawLog, position: number): Promise<void> {
    const later = await raw.rows('SELECT position FROM events WHERE position >= ? ORDER BY position DESC', position);
    for (const row of later) await raw.run('UPDATE events SET position = ? WHERE position = ?', Number(row.position) + 1, Number(row.position));
    const [next] = await raw.rows('SELECT metadata, recorded_at FROM events WHERE position = ?', position + 1);
    await raw.run(
      'INSERT INTO events (position, stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      position,
      'source-forged',
      0,
      '00000000-0000-4000-8000-000000000000',
      'SourceRegistered',
      JSON.stringify({ sourceId: 'forged', name: 'Forged Source', kind: 'media' }),
      next.metadata,
      next.recorded_at,
    );
  },

  /** Swaps everything but the positions of two rows. */
  async swap(raw: RawLog, first: number, second: number): Promise<void> {
    const [a] = await raw.rows(`SELECT ${COLUMNS.join(', ')} FROM events WHERE position = ?`, first);
    const [b] = await raw.rows(`SELECT ${COLUMNS.join(', ')} FROM events WHERE position = ?`, second);
    const set = `UPDATE events SET ${COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE position = ?`;
    // Park the first row on unique values, so the unique keys never collide mid-swap.
    await raw.run('UPDATE events SET event_id = ?, stream_id = ? WHERE position = ?', 'parked', 'parked', first);
    await raw.run(set, ...COLUMNS.map((column) => a[column]), second);
    await raw.run(set, ...COLUMNS.map((column) => b[column]), first);
  },
};

/**
 * Not tampering: rewrites every row's data and metadata as other JSON text for the same values
 * (keys in reverse order, spaced out), as rows appended before the stores wrote canonical JSON are.
 */
export async function rewriteAsOtherJson(raw: RawLog): Promise<void> {
  const reversed = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(reversed)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversed(inner)]))
        : value;
  const rows = await raw.rows('SELECT position, data, metadata FROM events');
  for (const row of rows) {
    const text = (column: unknown) => JSON.stringify(reversed(JSON.parse(String(column))), null, 1);
    await raw.run('UPDATE events SET data = ?, metadata = ? WHERE position = ?', text(row.data), text(row.metadata), Number(row.position));
  }
}
