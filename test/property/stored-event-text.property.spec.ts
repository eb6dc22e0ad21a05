import Database from 'better-sqlite3';
import fc from 'fast-check';
import { auditLeaf } from '../../src/audit/audit-leaf';
import { StoredEventText, parsedEvent, storedJson } from '../../src/event-store/event-store.port';
import { SQLITE_EVENT_LEAF } from '../../src/audit/verify/sqlite-leaf-ranges';
import { storedEventJsonText } from '../../src/http/json';

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
    let leafOf: (event: StoredEventText) => Buffer;
    beforeAll(() => {
      db = new Database(':memory:');
      db.exec(
        'CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT, stream_version INTEGER, event_id TEXT, type TEXT, data TEXT, metadata TEXT, recorded_at TEXT)',
      );
      const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      const select = db.prepare<[bigint], Buffer>(`SELECT CAST(${SQLITE_EVENT_LEAF} AS BLOB) FROM events WHERE position = ?`).pluck();
      leafOf = (event) => {
        db.exec('DELETE FROM events');
        insert.run(event.position, event.streamId, event.streamVersion, event.eventId, event.type, event.data, event.metadata, event.recordedAt);
        return select.get(event.position)!.subarray(1);
      };
    });
    afterAll(() => db.close());

    // Text columns of any code units, or ones JSON writes between quotes as they stand.
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }).filter(needsNoEscaping));
    const event = fc
      .tuple(storedEvent, fc.record({ streamId: text, eventId: text, type: text }))
      .map(([generated, columns]): StoredEventText => ({ ...generated, ...columns, data: storedJson(generated.data), metadata: storedJson(generated.metadata) }));

    it('is byte for byte the leaf JavaScript puts together wherever no text column needs escaping', () => {
      let plain = 0;
      fc.assert(
        fc.property(event, (stored) => {
          fc.pre([stored.streamId, stored.eventId, stored.type].every(needsNoEscaping));
          plain++;
          expect(leafOf(stored).equals(Buffer.from(storedEventJsonText(stored)))).toBe(true);
        }),
        { numRuns: 200 },
      );
      expect(plain).toBe(200);
    });

    it("never gives an event's leaf for a row whose text column was changed, even to that column's escaped form", () => {
      const column = fc.constantFrom('streamId', 'eventId', 'type', 'recordedAt') as fc.Arbitrary<'streamId' | 'eventId' | 'type' | 'recordedAt'>;
      fc.assert(
        fc.property(event, column, fc.option(fc.string({ unit: 'binary' })), (original, name, replacement) => {
          // The forger's best guess: the column's JSON escaped form without its quotes, or any other text.
          const forged = replacement ?? JSON.stringify(original[name]).slice(1, -1);
          fc.pre(forged !== original[name]);
          expect(leafOf({ ...original, [name]: forged }).equals(Buffer.from(storedEventJsonText(original)))).toBe(false);
        }),
        { numRuns: 400 },
      );
    });
  });
});
