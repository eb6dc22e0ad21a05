import fc from 'fast-check';
import { auditLeaf } from '../../src/audit/audit-leaf';
import { StoredEventText, parsedEvent, storedJson } from '../../src/event-store/event-store.port';
import { storedEventJsonText } from '../../src/http/json';

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
});
