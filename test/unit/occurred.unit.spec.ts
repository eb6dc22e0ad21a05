import fc from 'fast-check';
import edtf from 'edtf';
import {
  LegacyOccurred,
  OCCURRED_MESSAGE,
  OPEN_END,
  OPEN_START,
  OccurredMatch,
  OccurredRange,
  UNKNOWN_OCCURRED,
  occurredFromLegacy,
  occurredMatches,
  occurredRange,
  occurredView,
  parseOccurred,
  requireOccurred,
} from '../../src/domain/development/occurred';
import { InvalidInputError } from '../../src/domain/shared/domain.errors';
import { axisBoundMs, parseReportedTime } from '../../src/domain/shared/time';

const ms = (iso: string) => Date.parse(iso);

describe('occurred (EDTF level 1)', () => {
  it.each([
    // SPEC §2's examples
    ['2024-10-08/2024-10-13', '2024-10-08T00:00:00.000Z', '2024-10-13T23:59:59.999Z'],
    ['2024-10~', '2024-10-01T00:00:00.000Z', '2024-10-31T23:59:59.999Z'],
    ['2024-06-19?', '2024-06-19T00:00:00.000Z', '2024-06-19T23:59:59.999Z'],
    ['2024-10-XX', '2024-10-01T00:00:00.000Z', '2024-10-31T23:59:59.999Z'],
    ['../2024-10', null, '2024-10-31T23:59:59.999Z'],
    ['2024-10-08/..', '2024-10-08T00:00:00.000Z', null],
    ['2024', '2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'],
    // unknown (empty) sides read like open ones
    ['/2024', null, '2024-12-31T23:59:59.999Z'],
    ['2024/', '2024-01-01T00:00:00.000Z', null],
    // flags change no bound
    ['2024%', '2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'],
    ['2024-10-08?/2024-10-13~', '2024-10-08T00:00:00.000Z', '2024-10-13T23:59:59.999Z'],
    // unspecified digits give the bounds of the period
    ['20XX', '2000-01-01T00:00:00.000Z', '2099-12-31T23:59:59.999Z'],
    ['2024-02-XX', '2024-02-01T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    ['2023-02-XX', '2023-02-01T00:00:00.000Z', '2023-02-28T23:59:59.999Z'],
    ['2024-02-29~', '2024-02-29T00:00:00.000Z', '2024-02-29T23:59:59.999Z'],
    ['2024-XX-XX', '2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'],
    // the ends of years 0000-9999, read as written (not 19xx)
    ['0000', '0000-01-01T00:00:00.000Z', '0000-12-31T23:59:59.999Z'],
    ['0050-06-01', '0050-06-01T00:00:00.000Z', '0050-06-01T23:59:59.999Z'],
    ['9999-12', '9999-12-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'],
    // an interval of one day is that day (edtf.js itself refuses it)
    ['2024-10-08/2024-10-08', '2024-10-08T00:00:00.000Z', '2024-10-08T23:59:59.999Z'],
    ['2024-10/2024-10-08', '2024-10-01T00:00:00.000Z', '2024-10-08T23:59:59.999Z'],
    // date-times keep exact instants, in UTC
    ['2024-10-08T10:00:00Z', '2024-10-08T10:00:00.000Z', '2024-10-08T10:00:00.000Z'],
    ['2024-10-08T12:00:00+02:00', '2024-10-08T10:00:00.000Z', '2024-10-08T10:00:00.000Z'],
    ['2024-10-08T10:00:00.5Z', '2024-10-08T10:00:00.500Z', '2024-10-08T10:00:00.500Z'],
    ['2024-10-08T10:00:00Z/2024-10-09', '2024-10-08T10:00:00.000Z', '2024-10-09T23:59:59.999Z'],
    ['2024-10-08/2024-10-08T10:00:00Z', '2024-10-08T00:00:00.000Z', '2024-10-08T10:00:00.000Z'],
    ['2024-10-08T10:00:00Z/2024-10-08T10:00:00Z', '2024-10-08T10:00:00.000Z', '2024-10-08T10:00:00.000Z'],
  ])('reads %p as from %p to %p, keeping the text', (text, earliest, latest) => {
    expect(parseOccurred(text)).toEqual({ edtf: text, earliestMs: earliest === null ? null : ms(earliest), latestMs: latest === null ? null : ms(latest) });
  });

  const END_FIRST = 'the end must come after the start';
  it.each([
    ['2024-21', OCCURRED_MESSAGE], // a season
    ['2024-21/2024-22', OCCURRED_MESSAGE],
    ['{2024,2025}', OCCURRED_MESSAGE], // sets are level 2 or other types
    ['[2024,2025]', OCCURRED_MESSAGE],
    ['2024-?10', OCCURRED_MESSAGE], // a qualified component is level 2
    ['2024-1X', OCCURRED_MESSAGE],
    ['Y10000', OCCURRED_MESSAGE],
    ['10000', OCCURRED_MESSAGE],
    ['-0001', OCCURRED_MESSAGE],
    ['../-0001', OCCURRED_MESSAGE],
    ['2024-13', OCCURRED_MESSAGE],
    ['2024-02-30', OCCURRED_MESSAGE],
    ['2023-02-29', OCCURRED_MESSAGE], // edtf.js alone reads it as 1 March
    ['2023-02-29?', OCCURRED_MESSAGE],
    ['2024-04-31/..', OCCURRED_MESSAGE],
    ['2024-04-01/2024-04-31~', OCCURRED_MESSAGE],
    ['garbage', OCCURRED_MESSAGE],
    ['', OCCURRED_MESSAGE],
    [' 2024', OCCURRED_MESSAGE],
    ['2024-10-08 ', OCCURRED_MESSAGE],
    ['2024/2025/2026', OCCURRED_MESSAGE],
    ['2024-10-13/2024-10-08', END_FIRST],
    ['2024-06/2024~', END_FIRST],
    ['2024-10-08T10:00:00Z/2024-10-08', END_FIRST],
    ['2024-10-08/2024-10-08?', END_FIRST],
    ['../..', 'must know at least one end; leave occurred out when nothing is known'],
    ['/..', 'must know at least one end; leave occurred out when nothing is known'],
    ['/', 'must know at least one end; leave occurred out when nothing is known'],
    ['XXXX', 'must know at least its year; leave occurred out when nothing is known'],
    ['XXXX-10/..', 'must know at least its year; leave occurred out when nothing is known'],
    ['../XXXX', 'must know at least its year; leave occurred out when nothing is known'],
    // a date-time needs an offset, a real time and years 0000-9999 in UTC
    ['2024-10-08T10:00:00', OCCURRED_MESSAGE],
    ['2024-10-08T10:00:00+0200', OCCURRED_MESSAGE],
    ['2024-10-08T24:00:00Z', OCCURRED_MESSAGE],
    ['2024-10-08T10:00:00Z?', OCCURRED_MESSAGE],
    ['9999-12-31T23:00:00-02:00', OCCURRED_MESSAGE],
    ['0000-01-01T00:30:00+01:00', OCCURRED_MESSAGE],
    ['2024-10-08/' + '0'.repeat(60), 'must be at most 64 characters'],
    ['2024-10-08/'.repeat(10_000), 'must be at most 64 characters'],
  ])('refuses %p: %s', (text, message) => {
    expect(parseOccurred(text)).toBeUndefined();
    expect(() => requireOccurred({ edtf: text }, 'changes.occurred')).toThrow(InvalidInputError);
    try {
      requireOccurred({ edtf: text }, 'changes.occurred');
    } catch (error) {
      expect((error as InvalidInputError).errors).toEqual([{ field: 'changes.occurred.edtf', message }]);
    }
  });

  it('takes EDTF texts of up to 64 characters', () => {
    const longest = '2024-10-08T10:00:00.000000+02:00/2024-10-09T10:00:00.000000+02:00';
    expect(longest.length).toBeGreaterThan(64);
    const atCap = '2024-10-08T10:00:00.0000+02:00/2024-10-09T10:00:00.0000000+02:00';
    expect(atCap.length).toBe(64);
    expect(parseOccurred(atCap)?.latestMs).toBe(ms('2024-10-09T08:00:00.000Z'));
    expect(parseOccurred(longest)).toBeUndefined();
  });

  it('reads a text alike however often, and after many others have been read', () => {
    const first = parseOccurred('2024-10-08/2024-10-13');
    expect(parseOccurred('2024-10-13/2024-10-08')).toBeUndefined();
    for (let day = 0; day < 5000; day += 1) {
      const text = new Date(Date.UTC(2000, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
      expect(parseOccurred(text)?.earliestMs).toBe(ms(text));
    }
    expect(parseOccurred('2024-10-08/2024-10-13')).toEqual(first);
    expect(parseOccurred('2024-10-13/2024-10-08')).toBeUndefined();
  });

  it('keeps the text and the label as given, and adds no label when there was none', () => {
    expect(requireOccurred({ edtf: '2024-10-08/2024-10-13', label: 'early-to-mid October 2024' }, 'occurred')).toEqual({
      edtf: '2024-10-08/2024-10-13',
      label: 'early-to-mid October 2024',
    });
    const bare = requireOccurred({ edtf: '2024-10~' }, 'occurred');
    expect(bare).toEqual({ edtf: '2024-10~' });
    expect('label' in bare).toBe(false);
  });
});

describe('occurred from v1 {from, to}', () => {
  it.each<[LegacyOccurred, unknown]>([
    [{ from: '2024-10-08', to: '2024-10-13', label: 'early-to-mid October' }, { edtf: '2024-10-08/2024-10-13', label: 'early-to-mid October' }],
    [{ from: '2024-10-08' }, { edtf: '2024-10-08/..' }],
    [{ to: '2024-10-13' }, { edtf: '../2024-10-13' }],
    [{ from: '2024-10-08', to: '2024-10-08' }, { edtf: '2024-10-08' }],
    [{ from: '2025-01-10T00:00:00.000Z', label: 'around the 10th' }, { edtf: '2025-01-10T00:00:00.000Z/..', label: 'around the 10th' }],
    [{ from: '2024-10-08T10:00:00.000Z', to: '2024-10-09' }, { edtf: '2024-10-08T10:00:00.000Z/2024-10-09' }],
    [{ from: '2024-10-08T10:00:00.000Z', to: '2024-10-08T10:00:00.000Z' }, { edtf: '2024-10-08T10:00:00.000Z' }],
    // v1 took an end at the very start of the day it begins; edtf.js wants it later: the UTC day
    [{ from: '2024-10-08', to: '2024-10-08T00:00:00.000Z' }, { edtf: '2024-10-08' }],
    [{ from: '2024-10-08T00:00:00.000Z', to: '2024-10-08' }, { edtf: '2024-10-08' }],
    [{ label: 'early March' }, { label: 'early March' }],
    [{}, undefined],
  ])('reads %p as %p', (v1, expected) => {
    const upcast = occurredFromLegacy(v1);
    expect(upcast).toEqual(expected);
    if (upcast?.edtf !== undefined) expect(parseOccurred(upcast.edtf)).toBeDefined();
  });

  const v1Time = fc.oneof(
    fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T00:00:00.000Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  );

  it('reads every v1 value the v1 decider took, never narrowing it', () => {
    fc.assert(
      fc.property(fc.option(v1Time, { nil: undefined }), fc.option(v1Time, { nil: undefined }), (a, b) => {
        const [from, to] = a !== undefined && b !== undefined && parseReportedTime(b)!.ms < parseReportedTime(a)!.ms ? [b, a] : [a, b];
        const upcast = occurredFromLegacy({ from, to });
        if (from === undefined && to === undefined) return expect(upcast).toBeUndefined();
        const bounds = parseOccurred(upcast!.edtf!)!;
        expect(bounds).toBeDefined();
        if (from === undefined) expect(bounds.earliestMs).toBeNull();
        else expect(bounds.earliestMs).toBeLessThanOrEqual(parseReportedTime(from)!.ms);
        if (to === undefined) expect(bounds.latestMs).toBeNull();
        else expect(bounds.latestMs).toBeGreaterThanOrEqual(axisBoundMs(parseReportedTime(to)!));
      }),
      { numRuns: 500 },
    );
  });
});

describe('occurred in views', () => {
  it.each([
    [{ edtf: '2024-10-08/2024-10-13', label: 'early-to-mid October' }, { edtf: '2024-10-08/2024-10-13', earliest: '2024-10-08', latest: '2024-10-13', label: 'early-to-mid October' }],
    [{ edtf: '2024-10~' }, { edtf: '2024-10~', earliest: '2024-10-01', latest: '2024-10-31', label: null }],
    [{ edtf: '2024-06-19?' }, { edtf: '2024-06-19?', earliest: '2024-06-19', latest: '2024-06-19', label: null }],
    [{ edtf: '2024-10-XX' }, { edtf: '2024-10-XX', earliest: '2024-10-01', latest: '2024-10-31', label: null }],
    [{ edtf: '../2024-10' }, { edtf: '../2024-10', earliest: null, latest: '2024-10-31', label: null }],
    [{ edtf: '2024-10-08/..' }, { edtf: '2024-10-08/..', earliest: '2024-10-08', latest: null, label: null }],
    [{ edtf: '2024' }, { edtf: '2024', earliest: '2024-01-01', latest: '2024-12-31', label: null }],
    [{ edtf: '2024-10-08T12:00:00+02:00' }, { edtf: '2024-10-08T12:00:00+02:00', earliest: '2024-10-08T10:00:00.000Z', latest: '2024-10-08T10:00:00.000Z', label: null }],
    [{ edtf: '2024-10-08T10:00:00Z/2024-10-09' }, { edtf: '2024-10-08T10:00:00Z/2024-10-09', earliest: '2024-10-08T10:00:00.000Z', latest: '2024-10-09', label: null }],
    [{ label: 'early March' }, { edtf: null, earliest: null, latest: null, label: 'early March' }],
    [undefined, null],
  ])('shows %p as %p', (occurred, view) => {
    expect(occurredView(occurred)).toEqual(view);
  });
});

describe('occurred on the valid-time axis', () => {
  it.each<[Parameters<typeof occurredRange>[0], OccurredRange]>([
    [{ edtf: '2024-10-08/2024-10-13' }, { sortKey: ms('2024-10-08T00:00:00Z'), startMs: ms('2024-10-08T00:00:00Z'), endMs: ms('2024-10-13T23:59:59.999Z') }],
    [{ edtf: '2024-10~' }, { sortKey: ms('2024-10-01T00:00:00Z'), startMs: ms('2024-10-01T00:00:00Z'), endMs: ms('2024-10-31T23:59:59.999Z') }],
    [{ edtf: '../2024-10' }, { sortKey: ms('2024-10-31T23:59:59.999Z'), startMs: OPEN_START, endMs: ms('2024-10-31T23:59:59.999Z') }],
    [{ edtf: '/2024' }, { sortKey: ms('2024-12-31T23:59:59.999Z'), startMs: OPEN_START, endMs: ms('2024-12-31T23:59:59.999Z') }],
    [{ edtf: '2024-10-08/..' }, { sortKey: ms('2024-10-08T00:00:00Z'), startMs: ms('2024-10-08T00:00:00Z'), endMs: OPEN_END }],
    [{ label: 'early March' }, { sortKey: UNKNOWN_OCCURRED, startMs: null, endMs: null }],
    [undefined, { sortKey: UNKNOWN_OCCURRED, startMs: null, endMs: null }],
    // v1 values, as stored before the upcaster
    [{ from: '2024-10-08', to: '2024-10-13' }, { sortKey: ms('2024-10-08T00:00:00Z'), startMs: ms('2024-10-08T00:00:00Z'), endMs: ms('2024-10-13T23:59:59.999Z') }],
    [{ from: '2025-01-10T00:00:00.000Z' }, { sortKey: ms('2025-01-10T00:00:00Z'), startMs: ms('2025-01-10T00:00:00Z'), endMs: OPEN_END }],
    [{ to: '2024-10-13' }, { sortKey: ms('2024-10-13T23:59:59.999Z'), startMs: OPEN_START, endMs: ms('2024-10-13T23:59:59.999Z') }],
  ])('places %p at %p', (occurred, range) => {
    expect(occurredRange(occurred)).toEqual(range);
  });

  const oct = (edtf: string) => occurredRange({ edtf });
  const filter = (from?: string, to?: string) => ({
    ...(from === undefined ? {} : { occurredFromMs: ms(from) }),
    ...(to === undefined ? {} : { occurredToMs: ms(to) }),
  });
  const OCTOBER = filter('2024-10-01T00:00:00Z', '2024-10-31T23:59:59.999Z');
  it.each<[string, OccurredRange, ReturnType<typeof filter>, OccurredMatch, boolean]>([
    ['inside, possibly', oct('2024-10-08/2024-10-13'), OCTOBER, 'possibly', true],
    ['inside, certainly', oct('2024-10-08/2024-10-13'), OCTOBER, 'certainly', true],
    ['the whole month, certainly (bounds inclusive)', oct('2024-10'), OCTOBER, 'certainly', true],
    ['overlapping the start, possibly', oct('2024-09-28/2024-10-02'), OCTOBER, 'possibly', true],
    ['overlapping the start, certainly', oct('2024-09-28/2024-10-02'), OCTOBER, 'certainly', false],
    ['overlapping the end, certainly', oct('2024-10-30/2024-11-02'), OCTOBER, 'certainly', false],
    ['wider than the filter, possibly', oct('2024'), OCTOBER, 'possibly', true],
    ['wider than the filter, certainly', oct('2024'), OCTOBER, 'certainly', false],
    ['before, possibly', oct('2024-09'), OCTOBER, 'possibly', false],
    ['after, possibly', oct('2024-11-01'), OCTOBER, 'possibly', false],
    ['open start ending inside, possibly', oct('../2024-10-05'), OCTOBER, 'possibly', true],
    ['open start ending inside, certainly', oct('../2024-10-05'), OCTOBER, 'certainly', false],
    ['open start, certainly, with no lower filter', oct('../2024-10-05'), filter(undefined, '2024-10-31T23:59:59.999Z'), 'certainly', true],
    ['open end starting inside, certainly', oct('2024-10-08/..'), OCTOBER, 'certainly', false],
    ['open end, certainly, with no upper filter', oct('2024-10-08/..'), filter('2024-10-01T00:00:00Z'), 'certainly', true],
    ['unknown end, certainly, with no upper filter', oct('2024-10-08/'), filter('2024-10-01T00:00:00Z'), 'certainly', true],
    ['unknown, possibly', occurredRange(undefined), OCTOBER, 'possibly', false],
    ['unknown, certainly', occurredRange(undefined), OCTOBER, 'certainly', false],
    ['unknown, with no filter', occurredRange(undefined), filter(), 'certainly', true],
    ['anything, with no filter', oct('2024-09'), filter(), 'possibly', true],
  ])('%s: %#', (_, range, f, match, expected) => {
    expect(occurredMatches(range, f, match)).toBe(expected);
  });

  it('matches possibly by default, as before', () => {
    expect(occurredMatches(oct('2024'), OCTOBER)).toBe(true);
  });
});

describe('the plain forms read without edtf.js give edtf.js’s own bounds', () => {
  const side = fc.oneof(
    fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, '0')),
    fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`),
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  );
  const text = fc.oneof(
    side,
    side.map((s) => `${s}/..`),
    side.map((s) => `../${s}`),
    side.map((s) => `${s}/`),
    fc.tuple(side, side).map(([a, b]) => `${a}/${b}`),
  );

  it('for random dates, open sides and intervals', () => {
    fc.assert(
      fc.property(text, (input) => {
        let parsed: { min: number | null; max: number | null } | undefined;
        try {
          parsed = edtf(input, { level: 1, types: ['Date', 'Interval'] });
        } catch {
          parsed = undefined;
        }
        const ours = parseOccurred(input);
        const [first, last = first] = input.split('/');
        const open = (s: string) => s === '..' || s === '';
        if (!parsed) return expect(ours === undefined || input.split('/')[0] === input.split('/')[1]).toBe(true);
        expect(ours).toBeDefined();
        expect(ours!.earliestMs).toBe(open(first) ? null : parsed.min);
        expect(ours!.latestMs).toBe(open(last) ? null : parsed.max);
      }),
      { numRuns: 2000 },
    );
  });
});
