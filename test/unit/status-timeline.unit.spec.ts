import fc from 'fast-check';
import { ClaimFields, STANCES } from '../../src/domain/development/development.events';
import * as developmentView from '../../src/domain/knowledge/development-view';
import { KnownClaim, knownClaim, timeMs } from '../../src/domain/knowledge/development-view';
import { StatusSegment, statusTimeline } from '../../src/domain/knowledge/status-timeline';

// `a` and `b` share an origin; `c` is its own.
const affiliationOf = (sourceId: string) => (sourceId === 'c' ? 'c' : 'ab');
const HOUR = 3_600_000;
const BASE = Date.UTC(2024, 9, 1);
/** Knowledge times that collide often: a few days, as dates and as instants inside them. */
const knowledgeTime = fc.oneof(
  fc.integer({ min: 0, max: 4 }).map((d) => new Date(BASE + d * 24 * HOUR).toISOString().slice(0, 10)),
  fc.integer({ min: 0, max: 4 * 24 }).map((h) => new Date(BASE + h * HOUR).toISOString()),
);

const claims = fc
  .array(
    fc.record({
      sourceId: fc.constantFrom('a', 'b', 'c'),
      stance: fc.constantFrom(...STANCES.filter((stance) => stance !== 'assesses')),
      reportedAt: knowledgeTime,
      value: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
      derivedFrom: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
      retractedAt: fc.option(knowledgeTime, { nil: undefined }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((drawn) =>
    drawn.map(({ sourceId, stance, reportedAt, value, derivedFrom, retractedAt }, i): KnownClaim => {
      const fields: ClaimFields = {
        sourceId,
        stance,
        reportedAt,
        ...(value === undefined ? {} : { quantity: { value, unit: 'troops', measure: 'troops', qualifier: 'about' as const } }),
        ...(derivedFrom === undefined ? {} : { derivedFrom: `c${derivedFrom}` }),
      };
      return knownClaim(`c${i}`, fields, retractedAt);
    }),
  );

/** The segments of the whole timeline that end at or after `fromMs` (the last one never ends). */
const endingFrom = (segments: StatusSegment[], fromMs: number) => segments.filter((segment) => (segment.knownToMs ?? Number.POSITIVE_INFINITY) >= fromMs);

describe('status timeline derived from a knowledge time on', () => {
  it('is the whole timeline without the segments that ended before it, whatever the claims and the time', () => {
    fc.assert(
      fc.property(claims, fc.nat(), fc.integer({ min: -2 * HOUR, max: 5 * 24 * HOUR }), (known, firstIndex, offsetMs) => {
        const knownFromMs = known[firstIndex % known.length].reportedAtMs;
        const whole = statusTimeline(known, affiliationOf, knownFromMs);
        const fromMs = BASE + offsetMs;
        expect(statusTimeline(known, affiliationOf, knownFromMs, fromMs)).toEqual(endingFrom(whole, fromMs));
        // At an instant itself: the segment ending there is derived too (a change there moves its end).
        for (const instant of whole.map((segment) => segment.knownFromMs)) {
          expect(statusTimeline(known, affiliationOf, knownFromMs, instant)).toEqual(endingFrom(whole, instant));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('derives a claim reported after every other with two summaries, not one per instant', () => {
    const hourly = Array.from({ length: 50 }, (_, i) => knownClaim(`c${i}`, { sourceId: i % 2 ? 'a' : 'c', stance: 'asserts', reportedAt: new Date(BASE + i * HOUR).toISOString() }));
    const summaries = jest.spyOn(developmentView, 'summaryOf');
    try {
      const last = hourly[hourly.length - 1];
      const segments = statusTimeline(hourly, affiliationOf, hourly[0].reportedAtMs, last.reportedAtMs);
      // The segment that ends at the new instant, and the new one (with the status before it).
      expect(segments.map((segment) => segment.knownFromMs)).toEqual([hourly[48].reportedAtMs, last.reportedAtMs]);
      expect(segments[1].previousStatus).toBe('corroborated');
      expect(summaries).toHaveBeenCalledTimes(3);
      summaries.mockClear();
      statusTimeline(hourly, affiliationOf, hourly[0].reportedAtMs);
      expect(summaries).toHaveBeenCalledTimes(50);
    } finally {
      summaries.mockRestore();
    }
  });

  it('derives everything for a change before the development became known', () => {
    const known = [knownClaim('c1', { sourceId: 'a', stance: 'asserts', reportedAt: '2024-10-02' }), knownClaim('c2', { sourceId: 'c', stance: 'asserts', reportedAt: '2024-10-03' })];
    const whole = statusTimeline(known, affiliationOf, timeMs('2024-10-02'));
    expect(statusTimeline(known, affiliationOf, timeMs('2024-10-02'), timeMs('2024-10-01'))).toEqual(whole);
    expect(whole).toHaveLength(2);
  });
});
