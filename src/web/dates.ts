/*
 * Days in UTC, as the API reads them: a day, month or year given as `asOf` means its last
 * millisecond, and as the start of a range (`occurredFrom`) its first.
 */

export const DAY_MS = 86_400_000;

const PERIOD = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** The first millisecond of a day, month or year (`2024-10-23`, `2024-10`, `2024`), or of an instant's day. */
export function periodStartMs(text: string): number | undefined {
  const match = PERIOD.exec(text);
  if (!match) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : Math.floor(ms / DAY_MS) * DAY_MS;
  }
  return Date.UTC(Number(match[1]), match[2] ? Number(match[2]) - 1 : 0, match[3] ? Number(match[3]) : 1);
}

/** The last millisecond of a day, month or year, or an instant itself: when a report of that date is known. */
export function periodEndMs(text: string): number | undefined {
  const match = PERIOD.exec(text);
  if (!match) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const [year, month, day] = [Number(match[1]), match[2] ? Number(match[2]) : undefined, match[3] ? Number(match[3]) : undefined];
  if (day !== undefined) return Date.UTC(year, month! - 1, day + 1) - 1;
  if (month !== undefined) return Date.UTC(year, month, 1) - 1;
  return Date.UTC(year + 1, 0, 1) - 1;
}

/**
 * When a report dated `text` is known from (SPEC §2): a day from its start, a month or a year from
 * its last millisecond (the latest it can first have been public), an instant from itself.
 */
export function knownFromMs(text: string): number | undefined {
  const match = PERIOD.exec(text);
  return match && match[3] ? periodStartMs(text) : periodEndMs(text);
}

/** `2024-10-23` of an instant (UTC). */
export const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `23 Oct 2024`, `Oct 2024` or `2024`, as precise as the text it is given. */
export function readableDate(text: string): string {
  const match = PERIOD.exec(text);
  if (!match) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return text;
    const date = new Date(ms);
    const time = date.toISOString().slice(11, 16);
    return `${readableDate(dayText(ms))}${time === '23:59' || time === '00:00' ? '' : ` ${time} UTC`}`;
  }
  const [, year, month, day] = match;
  if (!month) return year;
  if (!day) return `${MONTHS[Number(month) - 1]} ${year}`;
  return `${Number(day)} ${MONTHS[Number(month) - 1]} ${year}`;
}

/** The UTC day an as-of text falls in (an instant with an offset: the UTC day of that instant), or undefined. */
export function asOfDay(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = periodEndMs(text);
  return ms === undefined ? undefined : dayText(ms);
}

/** An occurred interval in words: `8 Oct 2024 – 13 Oct 2024`, `by 31 May 2024`, `from 1 Feb 2022`. */
export function occurredText(occurred: { earliest: string | null; latest: string | null } | null): string | undefined {
  if (!occurred || (occurred.earliest === null && occurred.latest === null)) return undefined;
  if (occurred.earliest === null) return `by ${readableDate(occurred.latest!)}`;
  if (occurred.latest === null) return `from ${readableDate(occurred.earliest)}`;
  if (occurred.earliest === occurred.latest) return readableDate(occurred.earliest);
  return `${readableDate(occurred.earliest)} – ${readableDate(occurred.latest)}`;
}
