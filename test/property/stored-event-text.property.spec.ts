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

  it('is put together by SQLite (verify in worker threads) byte for byte the same, exactly when no text column needs escaping', () => {
    const db = new Database(':memory:');
    db.exec(
      'CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT, stream_version INTEGER, event_id TEXT, type TEXT, data TEXT, metadata TEXT, recorded_at TEXT)',
    );
    const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const leafOf = db.prepare<[bigint], Buffer>(`SELECT CAST(${SQLITE_EVENT_LEAF} AS BLOB) FROM events WHERE position = ?`).pluck();
    // Text columns of any code units, or ones JSON writes between quotes as they stand.
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }).filter(needsNoEscaping));
    const withText = fc.record({ streamId: text, eventId: text, type: text });
    let plain = 0;
    fc.assert(
      fc.property(storedEvent, withText, (generated, columns) => {
        const event: StoredEventText = { ...generated, ...columns, data: storedJson(generated.data), metadata: storedJson(generated.metadata) };
        db.exec('DELETE FROM events');
        insert.run(event.position, event.streamId, event.streamVersion, event.eventId, event.type, event.data, event.metadata, event.recordedAt);
        const fromSqlite = leafOf.get(event.position)!.subarray(1);
        const same = [event.streamId, event.eventId, event.type, event.recordedAt].every(needsNoEscaping);
        if (same) plain++;
        expect(fromSqlite.equals(Buffer.from(storedEventJsonText(event)))).toBe(same);
      }),
      { numRuns: 400 },
    );
    expect(plain).toBeGreaterThan(20);
    db.close();
  });
});
