import Database from 'better-sqlite3';
import { StoredEventText } from '../../event-store/event-store.port';
import { openConnection } from '../../database/sqlite-database';
import { EventRow, storedEventTextOf } from '../../event-store/event-row';
import { EventLeafRange, LeafRange, LeafRangeReader, StoredLeafRange } from './leaf-ranges';
import { LEAF_START } from './range-hashing';

/**
 * An event's leaf as SQLite puts it together: `LEAF_START` (which the range check makes the
 * leaf's 0x00), then the event's JSON text, keys in RFC 8785 order, as `storedEventJsonText` puts
 * it together in JavaScript: data and metadata as stored (canonical JSON), text columns quoted by
 * `json_quote`. Where the two differ for some row (text stored before it was canonical, a string
 * `json_quote` escapes otherwise), its hash differs and the leaf-by-leaf check decides it.
 * WARNING: the text columns must be escaped, not merely put between quotes: a value holding `\"`
 * would then give the very bytes of another value's escaped form, and a changed row would match.
 */
export const SQLITE_EVENT_LEAF = `concat(char(${LEAF_START}), '{"data":', data, ',"eventId":', json_quote(event_id), ',"metadata":', metadata,
  ',"position":', position, ',"recordedAt":', json_quote(recorded_at), ',"streamId":', json_quote(stream_id),
  ',"streamVersion":', stream_version, ',"type":', json_quote(type), '}')`;

/** Big enough for the log of a large store to be read through the map rather than copied in. */
const MMAP_BYTES = 2 ** 34;

type EventRangeRow = { count: number; bytes: Buffer | null; positions: string | null };

/** Leaf ranges from the embedded store's file, on a read-only connection of its own (each read done when it returns). */
export class SqliteLeafRangeReader implements LeafRangeReader {
  readonly connection: Database.Database;
  private readonly statements: {
    leafPosition: Database.Statement<[number], string>;
    storedLeaves: Database.Statement<[number, number], { count: number; lastIndex: number | null; positions: string | null; hashes: string | null; oddHashes: number }>;
    eventLeaves: Database.Statement<[bigint, number], EventRangeRow>;
    eventRows: Database.Statement<[bigint, number], EventRow>;
  };

  constructor(file: string) {
    this.connection = openConnection(file, { readonly: true });
    this.connection.pragma(`mmap_size = ${MMAP_BYTES}`);
    const db = this.connection;
    // Each list is joined in SQLite, in the order of the scan (leaf index, position): one value for
    // the range rather than one a row, as JavaScript pays for every value it is handed. Should
    // SQLite ever join them in another order, the range only fails to match.
    this.statements = {
      leafPosition: db.prepare<[number], string>('SELECT CAST(position AS TEXT) FROM audit_leaves WHERE leaf_index = ?').pluck(),
      storedLeaves: db.prepare(
        `SELECT count(*) AS count, max(leaf_index) AS lastIndex, group_concat(position, ',') AS positions, group_concat(hash, '') AS hashes,
           total(typeof(hash) != 'text' OR length(hash) != 64) AS oddHashes
         FROM audit_leaves WHERE leaf_index >= ? AND leaf_index < ?`,
      ),
      eventLeaves: db.prepare(
        `SELECT count(*) AS count, CAST(group_concat(leaf, '') AS BLOB) AS bytes, group_concat(position, ',') AS positions
         FROM (SELECT position, ${SQLITE_EVENT_LEAF} AS leaf FROM events WHERE position > ? ORDER BY position LIMIT ?)`,
      ),
      eventRows: db.prepare<[bigint, number], EventRow>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?').safeIntegers(true),
    };
  }

  async leafPosition(index: number): Promise<string | undefined> {
    return this.statements.leafPosition.get(index);
  }

  async storedLeaves({ fromIndex, count }: LeafRange): Promise<StoredLeafRange> {
    const row = this.statements.storedLeaves.get(fromIndex, fromIndex + count)!;
    return { count: row.count, lastIndex: row.lastIndex, positions: row.positions ?? '', hashes: row.hashes ?? '', oddHashes: row.oddHashes };
  }

  async eventLeaves(afterPosition: string, limit: number): Promise<EventLeafRange | undefined> {
    let row: EventRangeRow;
    try {
      row = this.statements.eventLeaves.get(BigInt(afterPosition), limit)!;
    } catch (error) {
      // The range's texts together exceed SQLite's longest value (events of over ~100 KiB each).
      if ((error as { code?: unknown }).code === 'SQLITE_TOOBIG') return undefined;
      throw error;
    }
    return { count: row.count, bytes: row.bytes ?? Buffer.alloc(0), positions: row.positions ?? '' };
  }

  async eventTexts(afterPosition: bigint, limit: number): Promise<StoredEventText[]> {
    return this.statements.eventRows.all(afterPosition, limit).map(storedEventTextOf);
  }

  close(): void {
    this.connection.close();
  }
}
