import { axisBoundMs, parseReportedTime } from '../../src/domain/shared/time';

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
});
