import { InvalidInputError } from './domain.errors';

/** A knowledge-time value as the editor gave it: a calendar day or an instant. */
export type ReportedTime = Readonly<{
  /** `YYYY-MM-DD` for a day (day precision kept), or a UTC ISO instant. */
  text: string;
  /** Epoch milliseconds: the start of the day for a day. */
  ms: number;
  precision: 'day' | 'instant';
}>;

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

/**
 * Parses `YYYY-MM-DD` or an ISO 8601 instant with an offset; `undefined` when it is neither, or
 * when it falls outside years 0000-9999 in UTC. An instant's `text` is its UTC form.
 */
export function parseReportedTime(input: string): ReportedTime | undefined {
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

export const TIME_MESSAGE = 'must be a real date YYYY-MM-DD or an ISO 8601 instant with an offset, in years 0000-9999 (UTC)';

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
 * The upper bound of a query axis (`asOf`, `recordedAsOf`) in epoch ms: a day means its end,
 * inclusive, in UTC.
 */
export function axisBoundMs(time: ReportedTime): number {
  return time.precision === 'day' ? time.ms + DAY_MS - 1 : time.ms;
}

/** The single way an epoch-ms instant is written out. */
export function instantText(ms: number): string {
  return new Date(ms).toISOString();
}
