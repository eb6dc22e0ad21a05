import { DatabaseError, Pool } from 'pg';
import { StoredEventText } from '../../event-store/event-store.port';
import { EventRow, storedEventTextOf } from '../../event-store/event-row';
import { AsyncMutex } from '../../platform/async-mutex';
import { EventLeafRange, LeafRange, LeafRangeChecker, LeafRangeReader, LeafRangeResult, StoredLeafRange, checkLeafRange } from './leaf-ranges';
import { LEAF_START } from './range-hashing';

/**
 * An event's leaf as PostgreSQL puts it together, as `SQLITE_EVENT_LEAF` does in SQLite:
 * `LEAF_START`, then the event's JSON text, keys in RFC 8785 order, data and metadata as stored,
 * text columns escaped by `to_json` (an escape, not mere quotes: see the warning there).
 */
export const POSTGRES_EVENT_LEAF = `chr(${LEAF_START}) || '{"data":' || data || ',"eventId":' || to_json(event_id)::text || ',"metadata":' || metadata
  || ',"position":' || position::text || ',"recordedAt":' || to_json(recorded_at)::text || ',"streamId":' || to_json(stream_id)::text
  || ',"streamVersion":' || stream_version::text || ',"type":' || to_json(type)::text || '}'`;

/** PostgreSQL's error for a value over its limits (a range's texts together over 1 GB). */
const PROGRAM_LIMIT_EXCEEDED = '54000';

/** The most bytes of leaves read as one text (far below V8's longest string): larger ranges are read one by one. */
const MAX_RANGE_TEXT = 2 ** 28;

/**
 * Ranges in flight at most: each takes two of the store's pooled connections, which appends and
 * projections share.
 */
const MAX_RANGES_IN_FLIGHT = 2;

/** Leaf ranges from PostgreSQL: the server joins each list for the range; this thread hashes. */
export class PostgresLeafRangeReader implements LeafRangeReader {
  /** `maxRangeText`: the most bytes of a range's leaves read as one text. */
  constructor(
    private readonly pool: Pool,
    private readonly maxRangeText = MAX_RANGE_TEXT,
  ) {}

  async leafPosition(index: number): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ position: string }>('SELECT position::text AS position FROM audit_leaves WHERE leaf_index = $1', [index]);
    return rows[0]?.position;
  }

  async storedLeaves({ fromIndex, count }: LeafRange): Promise<StoredLeafRange> {
    const { rows } = await this.pool.query<{ count: string; last_index: string | null; positions: string | null; hashes: string | null; odd_hashes: string }>(
      `SELECT count(*) AS count, max(leaf_index) AS last_index, string_agg(position::text, ',' ORDER BY leaf_index) AS positions,
         string_agg(hash, '' ORDER BY leaf_index) AS hashes, count(*) FILTER (WHERE length(hash) <> 64) AS odd_hashes
       FROM audit_leaves WHERE leaf_index >= $1 AND leaf_index < $2`,
      [fromIndex, fromIndex + count],
    );
    const [row] = rows;
    return {
      count: Number(row.count),
      lastIndex: row.last_index === null ? null : Number(row.last_index),
      positions: row.positions ?? '',
      hashes: row.hashes ?? '',
      oddHashes: Number(row.odd_hashes),
    };
  }

  async eventLeaves(afterPosition: string, limit: number): Promise<EventLeafRange | undefined> {
    try {
      // As text, which costs the server and the driver less than bytea (hex) for the same bytes; not
      // at all past MAX_RANGE_TEXT, which a JavaScript string could not hold.
      const { rows } = await this.pool.query<{ count: string; leaves: string | null; positions: string | null }>(
        `SELECT count(*) AS count, string_agg(position::text, ',' ORDER BY position) AS positions,
           CASE WHEN sum(octet_length(leaf)) <= $3 THEN string_agg(leaf, '' ORDER BY position) END AS leaves
         FROM (SELECT position, ${POSTGRES_EVENT_LEAF} AS leaf FROM events WHERE position > $1 ORDER BY position LIMIT $2) range`,
        [afterPosition, limit, this.maxRangeText],
      );
      const [row] = rows;
      if (row.leaves === null && Number(row.count) > 0) return undefined;
      return { count: Number(row.count), bytes: Buffer.from(row.leaves ?? ''), positions: row.positions ?? '' };
    } catch (error) {
      if (error instanceof DatabaseError && error.code === PROGRAM_LIMIT_EXCEEDED) return undefined;
      throw error;
    }
  }

  async eventTexts(afterPosition: bigint, limit: number): Promise<StoredEventText[]> {
    const { rows } = await this.pool.query<EventRow>('SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2', [afterPosition.toString(), limit]);
    return rows.map(storedEventTextOf);
  }
}

/**
 * Verify's range checks on PostgreSQL, `threads` ranges at a time (at most {@link MAX_RANGES_IN_FLIGHT}) on this thread: the server puts
 * each range's leaves together (in as many backends), this thread hashes them while the server
 * works on the next. One check at a time.
 */
export class PostgresLeafRanges implements LeafRangeChecker {
  private readonly reader: PostgresLeafRangeReader;
  private readonly turn = new AsyncMutex();

  constructor(
    pool: Pool,
    readonly threads: number,
  ) {
    this.reader = new PostgresLeafRangeReader(pool);
  }

  check(ranges: readonly LeafRange[], onResult: (result: LeafRangeResult) => boolean): Promise<void> {
    return this.turn.run(async () => {
      const begun: Promise<LeafRangeResult>[] = [];
      const begin = () => {
        if (begun.length >= ranges.length) return;
        const result = checkLeafRange(this.reader, ranges[begun.length]);
        // Awaited in order below; until then a failure must not count as unhandled.
        result.catch(() => undefined);
        begun.push(result);
      };
      for (let i = 0; i < Math.min(Math.max(1, this.threads), MAX_RANGES_IN_FLIGHT); i++) begin();
      try {
        for (let i = 0; i < ranges.length; i++) {
          if (!onResult(await begun[i])) return;
          begin();
        }
      } finally {
        await Promise.allSettled(begun);
      }
    });
  }

  /** The pool is the store's: nothing to close. */
  async close(): Promise<void> {}
}
