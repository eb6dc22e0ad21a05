import { Pool } from 'pg';
import { COUNTS_TABLE, PAGE_SIZE, PeerStore, PeerSystem, STREAM_LENGTH, SystemOptions } from './peer-system';
import { postgresFacts } from './timeline-postgres';

/**
 * Timeline's `events` columns and constraints, but `position` an identity column: assigned when the
 * row is inserted, so neither gap-free nor in commit order (Timeline pays a lock for both).
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, stream_id TEXT NOT NULL, stream_version BIGINT NOT NULL,
    event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL,
    CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version));
  CREATE INDEX IF NOT EXISTS events_type_position ON events (type, position);
  CREATE TABLE IF NOT EXISTS ${COUNTS_TABLE} (stream_id TEXT PRIMARY KEY, events BIGINT NOT NULL);
  CREATE TABLE IF NOT EXISTS peer_checkpoints (name TEXT PRIMARY KEY, position BIGINT NOT NULL);`;

type Row = { position: string; stream_id: string; data: string; metadata: string };

/** Up to 8 writers at once; each gets a connection of its own for its appends. */
const POOL_SIZE = 10;

/**
 * Plain `pg`: one autocommit multi-row INSERT per append on a pooled connection (one commit each,
 * never batched across appends), the expected version checked by the UNIQUE (stream_id,
 * stream_version) constraint alone.
 */
function rawStore(pool: Pool): PeerStore {
  return {
    async append(streamId, events, eventsInStream) {
      const recordedAt = new Date().toISOString();
      const values: unknown[] = [];
      const rows = events.map((event, i) => {
        values.push(streamId, eventsInStream + i, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), recordedAt);
        const at = i * 7;
        return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}, $${at + 7})`;
      });
      await pool.query(`INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES ${rows.join(', ')}`, values);
    },
  };
}

async function connect(url: string): Promise<Pool> {
  const pool = new Pool({ connectionString: url, max: POOL_SIZE });
  pool.on('error', () => undefined);
  await pool.query(SCHEMA);
  return pool;
}

export async function open(options: SystemOptions): Promise<PeerSystem> {
  const log = await connect(options.logUrl);
  const appends = await connect(options.appendsUrl);
  const parse = (row: Row) => ({ ...row, data: JSON.parse(row.data) as unknown, metadata: JSON.parse(row.metadata) as unknown });
  const page = async (after: string): Promise<Row[]> =>
    (await log.query<Row>('SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2', [after, PAGE_SIZE])).rows;
  return {
    log: rawStore(log),
    appends: rawStore(appends),
    files: [],
    async readLog() {
      let after = '0';
      let read = 0;
      for (;;) {
        const rows = (await page(after)).map(parse);
        read += rows.length;
        if (rows.length < PAGE_SIZE) return read;
        after = rows[rows.length - 1].position;
      }
    },
    async readStream(streamId) {
      const { rows } = await log.query<Row>('SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version', [streamId]);
      return rows.map(parse).length;
    },
    async resetCounts() {
      await log.query(`DELETE FROM ${COUNTS_TABLE}`);
    },
    async rebuild(name) {
      const client = await log.connect();
      try {
        let after = '0';
        for (;;) {
          const rows = await page(after);
          if (rows.length === 0) return;
          rows.forEach(parse);
          await client.query('BEGIN');
          for (const row of rows) {
            await client.query(`INSERT INTO ${COUNTS_TABLE} (stream_id, events) VALUES ($1, 1) ON CONFLICT (stream_id) DO UPDATE SET events = ${COUNTS_TABLE}.events + 1`, [row.stream_id]);
          }
          after = rows[rows.length - 1].position;
          await client.query('INSERT INTO peer_checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = excluded.position', [name, after]);
          await client.query('COMMIT');
        }
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async counts() {
      const { rows } = await log.query<{ streams: string; events: string; off: string }>(
        `SELECT count(*) AS streams, coalesce(sum(events), 0) AS events, count(*) FILTER (WHERE events <> $1) AS off FROM ${COUNTS_TABLE}`,
        [STREAM_LENGTH],
      );
      return { streams: Number(rows[0].streams), events: Number(rows[0].events), streamsNotAtLength: Number(rows[0].off) };
    },
    facts: () => postgresFacts(options.appendsUrl),
    async appendTransactions(streamPrefix) {
      const { rows } = await appends.query<{ n: string }>('SELECT count(DISTINCT xmin::text) AS n FROM events WHERE stream_id LIKE $1', [`${streamPrefix}%`]);
      return Number(rows[0].n);
    },
    async close() {
      await log.end();
      await appends.end();
    },
  };
}
