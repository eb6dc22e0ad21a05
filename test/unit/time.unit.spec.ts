import { axisBoundMs, axisStartMs, isWritableInstantMs, parseReportedTime } from '../../src/domain/shared/time';

describe('times', () => {
  it('reads a date as the start of that day in UTC, keeping day precision', () => {
    expect(parseReportedTime('2024-10-18')).toEqual({ text: '2024-10-18', ms: Date.UTC(2024, 9, 18), precision: 'day' });
  });

  it('reads an instant with an offset and writes it in UTC', () => {
    expect(parseReportedTime('2024-10-18T09:30:00+09:00')?.text).toBe('2024-10-18T00:30:00.000Z');
  });

  it.each(['2024-13', '2024-00', '2024-1', '2024-001', '202', '20245', '-2024', '2024-', '2024-10-1', ' 2024', '2024 ', '2025-02-30', '2024-13-01', '2024-00-10', '2024-10-20T25:00:00Z', '2024-10-20T10:00:00', '20241020', 'yesterday', '2024-10-20T10:00:00+25:00', '', '2024-10-18T09:30:00.1234567890+09:00', '2024-10-18'.padEnd(36)])(
    'refuses %p',
    (input) => expect(parseReportedTime(input)).toBeUndefined(),
  );

  it('remembers what a text parsed to (frozen, so no caller can change it for the next), and parses it the same once forgotten', () => {
    const first = parseReportedTime('2024-10-19');
    expect(parseReportedTime('2024-10-19')).toBe(first);
    // The longest time there is, nine decimals and an offset, is read.
    expect(parseReportedTime('2024-10-18T09:30:00.123456789+09:00')?.ms).toBe(Date.UTC(2024, 9, 18, 0, 30, 0, 123));
    expect(Object.isFrozen(first)).toBe(true);
    expect(parseReportedTime('2025-02-30')).toBeUndefined();
    expect(parseReportedTime('2025-02-30')).toBeUndefined();
    // More distinct texts than are remembered: the first ones are forgotten, and read again alike.
    for (let day = 0; day < 12_000; day++) parseReportedTime(new Date(Date.UTC(2000, 0, 1) + day * 86_400_000).toISOString());
    expect(parseReportedTime('2024-10-19')).toEqual({ text: '2024-10-19', ms: Date.UTC(2024, 9, 19), precision: 'day' });
    expect(parseReportedTime('2025-02-30')).toBeUndefined();
  });

  it('accepts 29 February in a leap year only', () => {
    expect(parseReportedTime('2024-02-29')).toBeDefined();
    expect(parseReportedTime('2023-02-29')).toBeUndefined();
  });

  it('bounds a date query at the end of that day, and an instant at itself', () => {
    expect(axisBoundMs(parseReportedTime('2024-10-20')!)).toBe(Date.UTC(2024, 9, 20, 23, 59, 59, 999));
    expect(axisBoundMs(parseReportedTime('2024-10-20T12:00:00Z')!)).toBe(Date.UTC(2024, 9, 20, 12));
  });

  it('keeps a date given as a date as that date', () => {
    expect(parseReportedTime('2024-10-18')?.text).toBe('2024-10-18');
  });

  it('writes an instant with a negative offset in UTC, crossing into the next day', () => {
    expect(parseReportedTime('2024-12-31T23:30:00-02:00')).toEqual({ text: '2025-01-01T01:30:00.000Z', ms: Date.UTC(2025, 0, 1, 1, 30), precision: 'instant' });
  });

  it.each(['9999-12-31T23:00:00-02:00', '9999-12-31T23:59:59.9999-00:01', '0000-01-01T00:30:00+01:00'])(
    'refuses %p, which falls outside years 0000-9999 in UTC',
    (input) => expect(parseReportedTime(input)).toBeUndefined(),
  );

  it('accepts the first and last instants of years 0000-9999 in UTC, in any offset that keeps them there', () => {
    expect(parseReportedTime('9999-12-31T23:59:59.999Z')?.text).toBe('9999-12-31T23:59:59.999Z');
    expect(parseReportedTime('9999-12-31T23:00:00+02:00')?.text).toBe('9999-12-31T21:00:00.000Z');
    expect(parseReportedTime('0000-01-01T01:00:00+01:00')?.text).toBe('0000-01-01T00:00:00.000Z');
  });

  it('reads years 0000-0099 as written, not as 19xx', () => {
    expect(parseReportedTime('0050-06-01')?.ms).toBe(Date.parse('0050-06-01T00:00:00Z'));
    expect(parseReportedTime('0050-06-01T12:00:00+12:00')?.text).toBe('0050-06-01T00:00:00.000Z');
  });

  it('takes as writable instants only whole milliseconds in years 0000-9999', () => {
    expect(isWritableInstantMs(Date.parse('9999-12-31T23:59:59.999Z'))).toBe(true);
    expect(isWritableInstantMs(Date.parse('0000-01-01T00:00:00.000Z'))).toBe(true);
    expect(isWritableInstantMs(0)).toBe(true);
    for (const ms of [Date.parse('9999-12-31T23:59:59.999Z') + 1, Date.parse('0000-01-01T00:00:00.000Z') - 1, 1.5, NaN, Infinity, 1e20]) {
      expect(isWritableInstantMs(ms)).toBe(false);
    }
  });

  const end = (iso: string) => Date.parse(iso);
  it.each([
    ['2024', '2024-12-31T23:59:59.999Z', '2024-01-01T00:00:00.000Z', 'year'],
    ['0000', '0000-12-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z', 'year'],
    ['0050', '0050-12-31T23:59:59.999Z', '0050-01-01T00:00:00.000Z', 'year'],
    ['9999', '9999-12-31T23:59:59.999Z', '9999-01-01T00:00:00.000Z', 'year'],
    ['2024-05', '2024-05-31T23:59:59.999Z', '2024-05-01T00:00:00.000Z', 'month'],
    ['2024-02', '2024-02-29T23:59:59.999Z', '2024-02-01T00:00:00.000Z', 'month'],
    ['2023-02', '2023-02-28T23:59:59.999Z', '2023-02-01T00:00:00.000Z', 'month'],
    ['2000-02', '2000-02-29T23:59:59.999Z', '2000-02-01T00:00:00.000Z', 'month'],
    ['1900-02', '1900-02-28T23:59:59.999Z', '1900-02-01T00:00:00.000Z', 'month'],
    ['2024-04', '2024-04-30T23:59:59.999Z', '2024-04-01T00:00:00.000Z', 'month'],
    ['2024-12', '2024-12-31T23:59:59.999Z', '2024-12-01T00:00:00.000Z', 'month'],
    ['0000-01', '0000-01-31T23:59:59.999Z', '0000-01-01T00:00:00.000Z', 'month'],
    ['9999-12', '9999-12-31T23:59:59.999Z', '9999-12-01T00:00:00.000Z', 'month'],
  ])('reads %p as known from the last millisecond of the period, %s, keeping its text and precision', (text, known, start, precision) => {
    const time = parseReportedTime(text)!;
    expect(time).toEqual({ text, ms: end(known), precision });
    expect(axisBoundMs(time)).toBe(end(known));
    expect(axisStartMs(time)).toBe(end(start));
  });

  it('starts a query range at the start of a day and at an instant itself', () => {
    expect(axisStartMs(parseReportedTime('2024-10-20')!)).toBe(Date.UTC(2024, 9, 20));
    expect(axisStartMs(parseReportedTime('2024-10-20T12:00:00Z')!)).toBe(Date.UTC(2024, 9, 20, 12));
  });

  it('counts a month as known after every day in it, and a year together with its December', () => {
    const ms = (text: string) => parseReportedTime(text)!.ms;
    expect(ms('2024-05')).toBeGreaterThan(ms('2024-05-31'));
    expect(ms('2024-05')).toBeLessThan(ms('2024-06-01'));
    expect(ms('2024')).toBeGreaterThan(ms('2024-11'));
    expect(ms('2024')).toBe(ms('2024-12'));
    expect(ms('2024')).toBeLessThan(ms('2025-01-01'));
  });
});
