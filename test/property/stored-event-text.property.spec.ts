import Database from 'better-sqlite3';
import fc from 'fast-check';
import { auditLeaf } from '../../src/audit/audit-leaf';
import { StoredEventText, parsedEvent, storedJson } from '../../src/event-store/event-store.port';
import { Pool } from 'pg';
import { POSTGRES_EVENT_LEAF } from '../../src/audit/verify/postgres-leaf-ranges';
import { SQLITE_EVENT_LEAF } from '../../src/audit/verify/sqlite-leaf-ranges';
import { storedEventJsonText } from '../../src/event-store/stored-event-json';
import { TEST_DATABASE_URL, describeWithPostgres } from '../support/postgres';

const needsNoEscaping = (value: string) => JSON.stringify(value) === `"${value}"`;

/** Any JSON object an event may carry (no `__proto__`-style keys: the API refuses those). */
const jsonObject = fc.dictionary(
  fc.string({ unit: 'binary' }).filter((key) => !['__proto__', 'constructor', 'prototype'].includes(key)),
  fc.jsonValue(),
  { maxKeys: 6 },
);

const storedEvent = fc.record({
  position: fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }),
  streamId: fc.string({ unit: 'binary' }),
  streamVersion: fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }),
  eventId: fc.string({ unit: 'binary' }),
  type: fc.string({ unit: 'binary' }),
  data: jsonObject,
  metadata: jsonObject,
  recordedAt: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
});

describe('an event read as stored text', () => {
  it('puts together, from canonical stored text, exactly the canonical JSON of the event as /v1/events serves it (its Merkle leaf)', () => {
    fc.assert(
      fc.property(storedEvent, (event) => {
        const text: StoredEventText = { ...event, data: storedJson(event.data), metadata: storedJson(event.metadata) };
        expect(storedEventJsonText(text)).toBe(auditLeaf(parsedEvent(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('puts together valid JSON for the same values from stored text that is not canonical', () => {
    fc.assert(
      fc.property(storedEvent, (event) => {
        const text: StoredEventText = { ...event, data: JSON.stringify(event.data, null, 2), metadata: JSON.stringify(event.metadata) };
        expect(JSON.parse(storedEventJsonText(text))).toEqual(JSON.parse(auditLeaf(parsedEvent(text))));
      }),
      { numRuns: 200 },
    );
  });

  describe('put together by SQLite (verify in worker threads)', () => {
    let db: Database.Database;
    let leafOf: (event: StoredEventText) => Promise<Buffer>;
    beforeAll(() => {
      db = new Database(':memory:');
      db.exec(
        'CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT, stream_version INTEGER, event_id TEXT, type TEXT, data TEXT, metadata TEXT, recorded_at TEXT)',
      );
      const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const select = db.prepare<[bigint], Buffer>(`SELECT CAST(${SQLITE_EVENT_LEAF} AS BLOB) FROM events WHERE position = ?`).pluck();
      leafOf = async (event) => {
        db.exec('DELETE FROM events');
        insert.run(event.position, event.streamId, event.streamVersion, event.eventId, event.type, event.data, event.metadata, event.recordedAt);
        return select.get(event.position)!.subarray(1);
      };
    });
    afterAll(() => db.close());
    sqlLeafProperties(() => leafOf);
  });

  describeWithPostgres('put together by PostgreSQL (verify with queries in flight)', () => {
    let pool: Pool;
    beforeAll(() => {
      pool = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    });
    afterAll(() => pool.end());
    const leafOf = async (event: StoredEventText): Promise<Buffer> => {
      const { rows } = await pool.query<{ leaf: Buffer }>(
        `SELECT convert_to(${POSTGRES_EVENT_LEAF}, 'UTF8') AS leaf FROM (SELECT $1::bigint AS position, $2::text AS stream_id, $3::bigint AS stream_version,
           $4::text AS event_id, $5::text AS type, $6::text AS data, $7::text AS metadata, $8::text AS recorded_at) events`,
        [event.position.toString(), event.streamId, event.streamVersion.toString(), event.eventId, event.type, event.data, event.metadata, event.recordedAt],
      );
      return rows[0].leaf.subarray(1);
    };
    // PostgreSQL text holds no NUL, and the driver sends a lone surrogate as U+FFFD.
    sqlLeafProperties(() => leafOf, (value) => !value.includes('\u0000') && Buffer.from(value).toString() === value);
  });
});

/**
 * What a database's leaf (`leafOf`) must do for verify's ranges to be sound: equal the leaf
 * JavaScript puts together where no text column needs escaping, and never equal an event's leaf
 * for a row with a text column changed. `storable`: the text values the database keeps as given.
 */
function sqlLeafProperties(leafOf: () => (event: StoredEventText) => Promise<Buffer>, storable: (value: string) => boolean = () => true): void {
  // Text columns of any code units, or ones JSON writes between quotes as they stand.
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }).filter(needsNoEscaping)).filter(storable);
  const event = fc
    .tuple(storedEvent, fc.record({ streamId: text, eventId: text, type: text }))
    .map(([generated, columns]): StoredEventText => ({ ...generated, ...columns, data: storedJson(generated.data), metadata: storedJson(generated.metadata) }))
    .filter((stored) => storable(stored.data) && storable(stored.metadata));

  it('is byte for byte the leaf JavaScript puts together wherever no text column needs escaping', async () => {
    let plain = 0;
    await fc.assert(
      fc.asyncProperty(event, async (stored) => {
        fc.pre([stored.streamId, stored.eventId, stored.type].every(needsNoEscaping));
        plain++;
        expect((await leafOf()(stored)).equals(Buffer.from(storedEventJsonText(stored)))).toBe(true);
      }),
      { numRuns: 200 },
    );
    expect(plain).toBe(200);
  });

  it("never gives an event's leaf for a row whose text column was changed, even to that column's escaped form", async () => {
    const column = fc.constantFrom('streamId', 'eventId', 'type', 'recordedAt') as fc.Arbitrary<'streamId' | 'eventId' | 'type' | 'recordedAt'>;
    await fc.assert(
      fc.asyncProperty(event, column, fc.option(fc.string({ unit: 'binary' }).filter(storable)), async (original, name, replacement) => {
        // The forger's best guess: the column's JSON escaped form without its quotes, or any other text.
        const forged = replacement ?? JSON.stringify(original[name]).slice(1, -1);
        fc.pre(forged !== original[name] && storable(forged));
        expect((await leafOf()({ ...original, [name]: forged })).equals(Buffer.from(storedEventJsonText(original)))).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
}
