import fc from 'fast-check';
import { parseReportedTime } from '../../../src/domain/shared/time';
import { boundMs, startMs } from '../../../src/http/time-params';
import { DAY_MS, knownFromMs, periodEndMs, periodStartMs, readableDate } from '../../../src/web/dates';
import { knowledgeDays, percentOf, scaleOf, spanOf } from '../../../src/web/timeline-scale';
import { DEFAULT_ZOOM, readView, routeOf, viewUrl, ZOOMS, type ViewState } from '../../../src/web/view-state';

/* The workbench page's pure parts: its URL state, its days, and where a development sits on the axis. */

const text = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s.length > 0);
/**
 * Any id a path segment can carry, wider than the API's slugs; not "." or "..", which no URL can
 * (they are dot segments, removed when a URL is resolved, encoded or not: RFC 3986 §5.2.4).
 */
const pathId = text.filter((s) => !s.includes('/') && s !== '.' && s !== '..');
const views: fc.Arbitrary<ViewState> = fc.record(
  {
    route: fc.oneof(
      fc.constant({ page: 'timeline' as const }),
      fc.record({ page: fc.constant('development' as const), id: pathId }),
      fc.record({ page: fc.constant('source' as const), id: pathId }),
    ),
    asOf: text,
    recordedAsOf: text,
    since: text,
    topic: text,
    status: text,
    sourceId: text,
    q: text,
    zoom: fc.constantFrom(...ZOOMS),
  },
  { requiredKeys: ['route', 'zoom'] },
);

describe("the page's URL", () => {
  it('reads back every view it writes: a link reproduces the view', () => {
    fc.assert(
      fc.property(views, (view) => {
        const url = new URL(viewUrl(view), 'http://timeline.test');
        const read = readView(url.pathname, url.search);
        expect(read).toEqual({ ...Object.fromEntries(Object.keys(read).map((key) => [key, undefined])), ...view });
      }),
    );
  });

  it('opens the timeline for any other path, and ignores a zoom it does not know', () => {
    expect(routeOf('/nothing/here')).toEqual({ page: 'timeline' });
    expect(routeOf('/developments/%E0%A4%A')).toEqual({ page: 'timeline' });
    expect(routeOf('/developments/a%2Fb')).toEqual({ page: 'development', id: 'a/b' });
    expect(readView('/', '?zoom=10y').zoom).toBe(DEFAULT_ZOOM);
    expect(viewUrl(readView('/', `?zoom=${DEFAULT_ZOOM}&asOf=2024-10-20&unknown=1`))).toBe('/?asOf=2024-10-20');
    expect(viewUrl(readView('/', '?zoom=all'))).toBe('/?zoom=all');
  });
});

describe("the page's days", () => {
  it('bound a day, month or year as the server reads it in asOf and occurredFrom, and count it known from when the server does', () => {
    const periods = fc.oneof(
      fc.integer({ min: 1900, max: 2100 }).map(String),
      fc.tuple(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
      fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    );
    fc.assert(
      fc.property(periods, (period) => {
        expect(periodEndMs(period)).toBe(boundMs(period, 0));
        expect(knownFromMs(period)).toBe(parseReportedTime(period)?.ms);
        expect(periodStartMs(period)).toBe(startMs(period));
        expect(periodStartMs(period)! % DAY_MS === 0).toBe(true);
      }),
    );
  });

  it('read as a person writes them, as precise as given', () => {
    expect(readableDate('2024-10-23')).toBe('23 Oct 2024');
    expect(readableDate('2024-10')).toBe('Oct 2024');
    expect(readableDate('2024')).toBe('2024');
    expect(readableDate('2024-10-23T23:59:59.999Z')).toBe('23 Oct 2024');
    expect(readableDate('2024-10-23T08:30:00.000Z')).toBe('23 Oct 2024 08:30 UTC');
  });

  it('count a report from when SPEC §2 says it is known: a day from its start, a month or year from its end', () => {
    expect(knownFromMs('2024-10-23')).toBe(Date.parse('2024-10-23T00:00:00.000Z'));
    expect(knownFromMs('2024-09')).toBe(Date.parse('2024-09-30T23:59:59.999Z'));
    expect(knownFromMs('2023')).toBe(Date.parse('2023-12-31T23:59:59.999Z'));
    expect(knownFromMs('2024-10-23T08:30:00+02:00')).toBe(Date.parse('2024-10-23T06:30:00.000Z'));
  });

  it('run the slider from the day before the first report was known to the day the last one was', () => {
    // A report of May 2024 is known from 31 May: the slider starts on the 30th, with nothing known.
    expect(knowledgeDays(['2024-05', '2024-10-20'], ['2024-10-24', '2024-09'])).toEqual({ first: '2024-05-30', last: '2024-10-24' });
    expect(knowledgeDays([], [])).toBeUndefined();
  });
});

describe('the occurred axis', () => {
  const occurred = (earliest: string | null, latest: string | null) => ({ earliest, latest });

  it('runs to the as-of day, and zooms to the days before it', () => {
    const asOfMs = Date.parse('2024-10-17T23:59:59.999Z');
    const scale = scaleOf([occurred(null, '2024-05-31'), occurred('2022-02-01', null)], '30d', asOfMs)!;
    expect(scale.endMs).toBeGreaterThanOrEqual(asOfMs);
    expect(scale.startMs).toBeGreaterThan(Date.parse('2024-09-01'));
    expect(spanOf(occurred('2022-02-01', null), scale)).toMatchObject({ openStart: true, openEnd: true, endMs: scale.endMs });
    expect(spanOf(occurred(null, '2024-05-31'), scale)).toBeUndefined();
  });

  it('draws a fuzzy date over its whole span, and an open side to the edge, marked open', () => {
    const scale = scaleOf([occurred('2024-10-08', '2024-10-13'), occurred(null, '2024-05-31'), occurred('2022-02-01', null)], 'all')!;
    expect(spanOf(occurred('2024-10-08', '2024-10-13'), scale)).toEqual({
      startMs: Date.parse('2024-10-08'),
      endMs: Date.parse('2024-10-14') - 1,
      openStart: false,
      openEnd: false,
    });
    expect(spanOf(occurred(null, '2024-05-31'), scale)).toMatchObject({ startMs: scale.startMs, openStart: true, openEnd: false });
    expect(spanOf(occurred('2022-02-01', null), scale)).toMatchObject({ endMs: scale.endMs, openStart: false, openEnd: true });
    expect(spanOf(null, scale)).toBeUndefined();
    expect(spanOf(occurred(null, null), scale)).toBeUndefined();
  });

  it('keeps every bar and tick within 0–100% of the axis, zoomed or not', () => {
    const day = fc.date({ min: new Date('2000-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const interval = fc.tuple(fc.option(day), fc.option(day)).map(([a, b]) => (a && b && a > b ? occurred(b, a) : occurred(a, b)));
    fc.assert(
      fc.property(fc.array(interval, { minLength: 1, maxLength: 20 }), fc.constantFrom(...ZOOMS), (intervals, zoom) => {
        const scale = scaleOf(intervals, zoom);
        if (intervals.every((i) => i.earliest === null && i.latest === null)) return expect(scale).toBeUndefined();
        for (const tick of scale!.ticks) expect(percentOf(tick.ms, scale!)).toBeGreaterThanOrEqual(0);
        for (const tick of scale!.ticks) expect(percentOf(tick.ms, scale!)).toBeLessThanOrEqual(100);
        for (const i of intervals) {
          const span = spanOf(i, scale!);
          if (!span) continue;
          expect(percentOf(span.startMs, scale!)).toBeGreaterThanOrEqual(0);
          expect(percentOf(span.endMs, scale!)).toBeLessThanOrEqual(100);
          expect(span.startMs).toBeLessThanOrEqual(span.endMs);
        }
      }),
    );
  });
});
