import { InvalidInputError } from './domain.errors';

/** A knowledge-time value as the editor gave it: a year, a month, a calendar day or an instant. */
export type ReportedTime = Readonly<{
  /** `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as given (precision kept), or a UTC ISO instant. */
  text: string;
  /**
   * Epoch milliseconds from which it counts as known: the start of a day, but the last millisecond
   * of a month or a year (the latest moment it can first have been public, SPEC §2).
   */
  ms: number;
  precision: 'year' | 'month' | 'day' | 'instant';
}>;

const YEAR = /^(\d{4})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;
/** Instants are written `YYYY-MM-DDTHH:mm:ss.sssZ`, so a time must fall in years 0000-9999 in UTC. */
const EARLIEST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Epoch ms of a real calendar day, or `undefined` (setUTCFullYear, since Date.UTC reads years 0-99 as 19xx). */
function realDayMs(y: number, m: number, d: number): number | undefined {
  if (m < 1 || m > 12 || d < 1) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date.getTime() : undefined;
}

/** Whether epoch ms are an instant this service can write out: an integer in years 0000-9999, UTC. */
export function isWritableInstantMs(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= EARLIEST_MS && ms <= LATEST_MS;
}

/** Start of a year (`m` undefined) or a month, and the start of the period after it, in epoch ms. */
function periodMs(y: number, m?: number): { start: number; next: number } | undefined {
  if (m === undefined) return { start: realDayMs(y, 1, 1)!, next: realDayMs(y + 1, 1, 1)! };
  const start = realDayMs(y, m, 1);
  return start === undefined ? undefined : { start, next: m === 12 ? realDayMs(y + 1, 1, 1)! : realDayMs(y, m + 1, 1)! };
}

/** Texts parsed before, with what they parsed to (at most {@link PARSED_KEPT}, then forgotten together). */
const parsed = new Map<string, ReportedTime | undefined>();
const PARSED_KEPT = 10_000;
/** The longest text {@link INSTANT} matches (nine decimals and an offset): longer ones are no time, and are not kept. */
const LONGEST_TIME = '0000-01-01T00:00:00.000000000+00:00'.length;

/**
 * Parses `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an ISO 8601 instant with an offset; `undefined` when it
 * is none of them, or when it falls outside years 0000-9999 in UTC. A year, month or day keeps its
 * text; an instant's `text` is its UTC form. Remembered by text (the value is frozen): the
 * projections parse the same few dates again for every claim of a development on each write.
 */
export function parseReportedTime(input: string): ReportedTime | undefined {
  if (input.length > LONGEST_TIME) return undefined;
  const kept = parsed.get(input);
  if (kept !== undefined || parsed.has(input)) return kept;
  const time = parseUncached(input);
  if (parsed.size >= PARSED_KEPT) parsed.clear();
  parsed.set(input, time && Object.freeze(time));
  return time;
}

function parseUncached(input: string): ReportedTime | undefined {
  const year = YEAR.exec(input);
  if (year) return { text: input, ms: periodMs(Number(year[1]))!.next - 1, precision: 'year' };
  const month = MONTH.exec(input);
  if (month) {
    const period = periodMs(Number(month[1]), Number(month[2]));
    return period === undefined ? undefined : { text: input, ms: period.next - 1, precision: 'month' };
  }
  const day = DAY.exec(input);
  if (day) {
    const ms = realDayMs(Number(day[1]), Number(day[2]), Number(day[3]));
    return ms === undefined ? undefined : { text: input, ms, precision: 'day' };
  }
  const instant = INSTANT.exec(input);
  if (!instant) return undefined;
  const [y, m, d, hh, mm, ss] = [1, 2, 3, 4, 5, 6].map((i) => Number(instant[i] ?? 0));
  const offset = instant[8];
  if (realDayMs(y, m, d) === undefined || hh > 23 || mm > 59 || ss > 59) return undefined;
  if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const ms = Date.parse(input);
  if (!isWritableInstantMs(ms)) return undefined;
  return { text: instantText(ms), ms, precision: 'instant' };
}

export const TIME_MESSAGE =
  'must be a year YYYY, a month YYYY-MM, a real date YYYY-MM-DD or an ISO 8601 instant with an offset, in years 0000-9999 (UTC)';

/** Like {@link parseReportedTime}, raising a field error when the value is not a time. */
export function requireReportedTime(input: string, field: string): ReportedTime {
  const parsed = parseReportedTime(input);
  if (!parsed) {
    throw new InvalidInputError(`${field} is not a valid date or instant`, [
      { field, message: TIME_MESSAGE },
    ]);
  }
  return parsed;
}

/**
 * The upper bound of a query axis (`asOf`, `recordedAsOf`) in epoch ms: a day, month or year means
 * its end, inclusive, in UTC (for a month or a year that is already `ms`).
 */
export function axisBoundMs(time: ReportedTime): number {
  return time.precision === 'day' ? time.ms + DAY_MS - 1 : time.ms;
}

/**
 * The lower bound of a query range (`occurredFrom`) in epoch ms: a day, month or year means its
 * start, in UTC; an instant is itself.
 */
export function axisStartMs(time: ReportedTime): number {
  switch (time.precision) {
    case 'day':
    case 'instant':
      return time.ms;
    case 'month':
      return periodMs(Number(time.text.slice(0, 4)), Number(time.text.slice(5, 7)))!.start;
    case 'year':
      return periodMs(Number(time.text))!.start;
    default: {
      const never: never = time.precision;
      return never;
    }
  }
}

/** The single way an epoch-ms instant is written out. */
export function instantText(ms: number): string {
  return new Date(ms).toISOString();
}
