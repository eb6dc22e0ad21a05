import { RecordedRating, ratingsKnownAt, reliabilityAsOf } from '../../src/domain/source/reliability.rules';
import { Reliability } from '../../src/domain/source/source.events';

const ms = (time: string) => Date.parse(time);

/** A rating reported at `reportedAt` (a UTC instant), recorded at `recordedAt`, at log `position`. */
const rating = (reliability: Reliability, reportedAt: string, recordedAt: string, position: number): RecordedRating => ({
  reliability,
  reportedAt,
  reportedAtMs: ms(reportedAt),
  reason: `rated ${reliability}`,
  recordedAtMs: ms(recordedAt),
  position,
});

// Rated C on 1 October (recorded 2 October), E on 10 October (recorded late, 20 October), and twice
// at the same instant on 15 October: B, then A recorded after it.
const ratings = [
  rating('E', '2024-10-10T00:00:00.000Z', '2024-10-20T00:00:00.000Z', 40),
  rating('A', '2024-10-15T00:00:00.000Z', '2024-10-16T00:00:00.000Z', 31),
  rating('C', '2024-10-01T00:00:00.000Z', '2024-10-02T00:00:00.000Z', 10),
  rating('B', '2024-10-15T00:00:00.000Z', '2024-10-16T00:00:00.000Z', 30),
];
const NOW = '2025-01-01T00:00:00.000Z';

describe('reliability as of (asOf, recordedAsOf)', () => {
  const table: [string, Reliability | undefined, string, string, Reliability | null][] = [
    ['before any rating is reported, the reliability given at registration', 'D', '2024-09-30T00:00:00.000Z', NOW, 'D'],
    ['before any rating, and none given at registration, null', undefined, '2024-09-30T00:00:00.000Z', NOW, null],
    ['from the instant a rating is reported, that rating', 'D', '2024-10-01T00:00:00.000Z', NOW, 'C'],
    ['a later-reported rating replaces an earlier one', 'D', '2024-10-12T00:00:00.000Z', NOW, 'E'],
    ['a rating recorded late is not known as of a recordedAsOf before it was recorded', 'D', '2024-10-12T00:00:00.000Z', '2024-10-19T00:00:00.000Z', 'C'],
    ['of two ratings reported at the same time, the one later in the log', 'D', '2024-10-15T00:00:00.000Z', NOW, 'A'],
    ['latest by knowledge time, not by the order recorded', 'D', NOW, NOW, 'A'],
    ['with nothing recorded yet, the registration even when ratings were reported earlier', 'F', NOW, '2024-10-01T00:00:00.000Z', 'F'],
  ];

  it.each(table)('%s', (_name, registered, asOf, recordedAsOf, expected) => {
    expect(reliabilityAsOf(registered, ratings, { asOfMs: ms(asOf), recordedAsOfMs: ms(recordedAsOf) })).toBe(expected);
  });
});

describe('ratings known as of (asOf, recordedAsOf)', () => {
  it('lists those reported and recorded by then, in knowledge order, then log order', () => {
    const known = ratingsKnownAt(ratings, { asOfMs: ms(NOW), recordedAsOfMs: ms('2024-10-17T00:00:00.000Z') });
    expect(known.map((r) => r.reliability)).toEqual(['C', 'B', 'A']);
  });

  it('leaves the ratings given untouched', () => {
    const before = ratings.map((r) => r.position);
    ratingsKnownAt(ratings, { asOfMs: ms(NOW), recordedAsOfMs: ms(NOW) });
    expect(ratings.map((r) => r.position)).toEqual(before);
  });
});
