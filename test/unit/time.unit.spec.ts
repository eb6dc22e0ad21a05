import { axisBoundMs, isWritableInstantMs, parseReportedTime } from '../../src/domain/shared/time';

describe('times', () => {
  it('reads a date as the start of that day in UTC, keeping day precision', () => {
    expect(parseReportedTime('2024-10-18')).toEqual({ text: '2024-10-18', ms: Date.UTC(2024, 9, 18), precision: 'day' });
  });

  it('reads an instant with an offset and writes it in UTC', () => {
    expect(parseReportedTime('2024-10-18T09:30:00+09:00')?.text).toBe('2024-10-18T00:30:00.000Z');
  });

  it.each(['2025-02-30', '2024-13-01', '2024-00-10', '2024-10-20T25:00:00Z', '2024-10-20T10:00:00', '20241020', 'yesterday', '2024-10-20T10:00:00+25:00', ''])(
    'refuses %p',
    (input) => expect(parseReportedTime(input)).toBeUndefined(),
  );

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
});
