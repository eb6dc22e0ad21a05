import edtf from 'edtf';
import { InvalidInputError } from '../shared/domain.errors';
import { ReportedTime, axisBoundMs, axisStartMs, instantText, isWritableInstantMs, parseReportedTime } from '../shared/time';

/** Valid time as the editor gives it: an EDTF text (kept as written) and the source's wording. */
export type Occurred = Readonly<{ edtf: string; label?: string }>;

/** Valid time as v1 events hold it: either side may be absent; each is a day or a UTC instant. */
export type LegacyOccurred = Readonly<{ from?: string; to?: string; label?: string }>;

/**
 * What an event's `occurred` holds once upcast: a v1 value that had only a label has no EDTF (no
 * EDTF text means "unknown"), and keeps its label, since nothing recorded is ever dropped; a v1
 * value with nothing at all (`{}`, which v1 answered as unknown) stays `{}`.
 */
export type UpcastOccurred = Occurred | Readonly<{ edtf?: undefined; label: string }> | Readonly<{ edtf?: undefined; label?: undefined }>;

/** `null`: that side is open (`..`) or unknown (empty); both read the same on the valid-time axis. */
export type OccurredBounds = Readonly<{ edtf: string; earliestMs: number | null; latestMs: number | null }>;

/** `earliest`/`latest`: `YYYY-MM-DD` days, or UTC instants where that side of the EDTF has a time. */
export type OccurredView = Readonly<{ edtf: string | null; earliest: string | null; latest: string | null; label: string | null }>;

export const MAX_EDTF_LENGTH = 64;

export const OCCURRED_MESSAGE =
  'must be an EDTF level 1 date or interval in years 0000-9999 (2024-10-08, 2024-10~, 2024-06-19?, 2024-10-XX, ' +
  '2024-10-08/2024-10-13, ../2024-10, 2024-10-08/..); a date-time needs an offset (Z or ±HH:MM)';

const EDTF_OPTIONS = { level: 1, types: ['Date', 'Interval'] } as const;
const OPEN = '..';
const UNKNOWN = '';
const DAY_WITH_FLAGS = /^(\d{4}-\d{2}-\d{2})[?~%]?$/;

/**
 * edtf.js (a nearley parser) takes ~0.1-0.2 ms a text, and the replay reads every development's
 * `occurred` on every query: readings are pure, so the last few thousand are kept.
 */
const readings = new Map<string, OccurredBounds | string>();
const READINGS_KEPT = 4096;

/** A reason, or the bounds. */
function read(text: string): OccurredBounds | string {
  if (text.length > MAX_EDTF_LENGTH) return `must be at most ${MAX_EDTF_LENGTH} characters`;
  const kept = readings.get(text);
  if (kept !== undefined) return kept;
  const reading = readUncached(text);
  if (readings.size >= READINGS_KEPT) readings.delete(readings.keys().next().value!);
  readings.set(text, reading);
  return reading;
}

function readUncached(text: string): OccurredBounds | string {
  if (text.length === 0) return OCCURRED_MESSAGE;
  const sides = text.split('/');
  // edtf.js refuses `X/X` (its end must come after its start); it is the single date X.
  if (sides.length === 2 && sides[0] === sides[1] && sides[0] !== OPEN && sides[0] !== UNKNOWN) {
    const single = read(sides[0]);
    return typeof single === 'string' ? single : Object.freeze({ ...single, edtf: text });
  }
  // `XXXX` would span years 0000-9999: it says nothing, as `../..` says nothing.
  if (sides.some((side) => /^-?X{4}/.test(side))) return 'must know at least its year; leave occurred out when nothing is known';
  const plain = readPlain(sides);
  if (plain !== undefined) return plain;
  let parsed: { min: number | null; max: number | null };
  try {
    parsed = edtf(text, EDTF_OPTIONS);
  } catch (error) {
    return error instanceof Error && error.message.startsWith('invalid upper bound') ? 'the end must come after the start' : OCCURRED_MESSAGE;
  }
  const [first, last = first] = sides;
  const earliest = sideMs(first, parsed.min);
  const latest = sideMs(last, parsed.max);
  if (earliest === undefined || latest === undefined) return OCCURRED_MESSAGE;
  if (earliest === null && latest === null) return 'must know at least one end; leave occurred out when nothing is known';
  if (earliest !== null && latest !== null && latest < earliest) return 'the end must come after the start';
  return Object.freeze({ edtf: text, earliestMs: earliest, latestMs: latest });
}

const PLAIN_SIDE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

/**
 * The common forms read without the parser (about 100× faster; the replay reads every development's
 * `occurred` on every query): a year, month or day with no qualifier, alone or beside an open or
 * unknown side, or two days. Anything else (flags, `X`, mixed precisions) is left to edtf.js, so the
 * answers stay its answers (a table test holds both paths to the same bounds).
 */
function readPlain(sides: readonly string[]): OccurredBounds | string | undefined {
  if (sides.length > 2) return undefined;
  const times = sides.map((side) => (side === OPEN || side === UNKNOWN ? null : PLAIN_SIDE.test(side) ? parseReportedTime(side) : undefined));
  if (times.some((time) => time === undefined)) return undefined;
  const [first, last = first] = times as (ReportedTime | null)[];
  if (sides.length === 2 && first && last && (first.precision !== 'day' || last.precision !== 'day')) return undefined;
  const earliest = first ? axisStartMs(first) : null;
  const latest = last ? axisBoundMs(last) : null;
  if (earliest === null && latest === null) return 'must know at least one end; leave occurred out when nothing is known';
  if (earliest !== null && latest !== null && latest < earliest) return 'the end must come after the start';
  return Object.freeze({ edtf: sides.join('/'), earliestMs: earliest, latestMs: latest });
}

/**
 * One side's bound: `null` when open or unknown, `undefined` when outside years 0000-9999 or a
 * date-time without an offset (edtf.js would read it in the server's time zone). A date-time's
 * instant is read here, not by edtf.js, which reads `.5` seconds as 5 ms.
 */
function sideMs(side: string, packageMs: number | null): number | null | undefined {
  if (side === OPEN || side === UNKNOWN) return null;
  if (side.includes('T')) return parseReportedTime(side)?.ms;
  // edtf.js reads 2023-02-29 as 1 March: a day written in full must be a real one.
  const day = DAY_WITH_FLAGS.exec(side);
  if (day && parseReportedTime(day[1]) === undefined) return undefined;
  return packageMs !== null && isWritableInstantMs(packageMs) ? packageMs : undefined;
}

/** The bounds of an EDTF level 1 Date or Interval; `undefined` when it is not one we take. */
export function parseOccurred(text: string): OccurredBounds | undefined {
  const bounds = read(text);
  return typeof bounds === 'string' ? undefined : bounds;
}

/** `occurred` as given, checked: its EDTF is kept exactly as written. */
export function requireOccurred(input: Readonly<{ edtf: string; label?: string }>, field: string): Occurred {
  const reason = typeof input.edtf === 'string' ? read(input.edtf) : OCCURRED_MESSAGE;
  if (typeof reason === 'string') {
    throw new InvalidInputError(`${field}.edtf is not a date or interval this service takes`, [{ field: `${field}.edtf`, message: reason }]);
  }
  return input.label === undefined ? { edtf: input.edtf } : { edtf: input.edtf, label: input.label };
}

/**
 * The upcaster's conversion of a v1 `occurred`: `from/to`, `from/..`, `../to`, or the single date
 * when `from` equals `to`. With neither side it has no EDTF: `{label}` when it had a label, else
 * `undefined`.
 */
export function occurredFromLegacy(v1: LegacyOccurred): UpcastOccurred | undefined {
  const label = v1.label === undefined ? {} : { label: v1.label };
  if (v1.from === undefined && v1.to === undefined) return v1.label === undefined ? undefined : { label: v1.label };
  const exact = legacyEdtf(v1.from, v1.to);
  if (parseOccurred(exact)) return { edtf: exact, ...label };
  // edtf.js wants an end strictly after the start (`2024-10-08/2024-10-08T00:00:00.000Z` was fine
  // in v1): such instants become their UTC days, which v1's from <= to always makes readable.
  return { edtf: legacyEdtf(utcDay(v1.from), utcDay(v1.to)), ...label };
}

function legacyEdtf(from: string | undefined, to: string | undefined): string {
  return from !== undefined && from === to ? from : `${from ?? OPEN}/${to ?? OPEN}`;
}

function utcDay(text: string | undefined): string | undefined {
  const time = text === undefined ? undefined : parseReportedTime(text);
  return time?.precision === 'instant' ? instantText(time.ms).slice(0, 10) : text;
}

/** What views show; an EDTF that no longer reads (never stored by the decider) shows no bounds. */
export function occurredView(occurred: UpcastOccurred | undefined): OccurredView | null {
  if (!occurred) return null;
  const label = occurred.label ?? null;
  const bounds = occurred.edtf === undefined ? undefined : parseOccurred(occurred.edtf);
  if (!bounds) return { edtf: occurred.edtf ?? null, earliest: null, latest: null, label };
  const sides = bounds.edtf.split('/');
  return {
    edtf: bounds.edtf,
    earliest: boundText(bounds.earliestMs, sides[0]),
    latest: boundText(bounds.latestMs, sides[sides.length - 1]),
    label,
  };
}

function boundText(ms: number | null, side: string): string | null {
  if (ms === null) return null;
  return side.includes('T') ? instantText(ms) : instantText(ms).slice(0, 10);
}

/** Where a development sorts on the valid-time axis: its start, else its end; unknown sorts last. */
export const UNKNOWN_OCCURRED = Number.MAX_SAFE_INTEGER;

/** An open or unknown side of a half-known interval: "from 8 October" has no known end. */
export const OPEN_START = Number.MIN_SAFE_INTEGER;
export const OPEN_END = Number.MAX_SAFE_INTEGER;

/** `startMs`/`endMs` (inclusive) are null only when neither bound is known. */
export type OccurredRange = Readonly<{ sortKey: number; startMs: number | null; endMs: number | null }>;

/**
 * Takes a v1 value too (read through {@link occurredFromLegacy}), so callers typed with the v1
 * `DevelopmentFields` keep working until events are upcast on read.
 */
export function occurredRange(occurred: UpcastOccurred | LegacyOccurred | undefined): OccurredRange {
  const upcast = occurred === undefined || 'edtf' in occurred ? occurred : occurredFromLegacy(occurred);
  const bounds = upcast?.edtf === undefined ? undefined : parseOccurred(upcast.edtf);
  if (!bounds || (bounds.earliestMs === null && bounds.latestMs === null)) return { sortKey: UNKNOWN_OCCURRED, startMs: null, endMs: null };
  return {
    sortKey: bounds.earliestMs ?? bounds.latestMs!,
    startMs: bounds.earliestMs ?? OPEN_START,
    endMs: bounds.latestMs ?? OPEN_END,
  };
}

export type OccurredFilter = Readonly<{ occurredFromMs?: number; occurredToMs?: number }>;

/** `possibly`: the interval overlaps the filter; `certainly`: it lies wholly inside it. */
export type OccurredMatch = 'possibly' | 'certainly';

/**
 * Valid time against the filter; a development with no known time never matches a time filter.
 * For `certainly`, OPEN_START/OPEN_END lie outside every bounded filter side, as they should: an
 * open or unknown end may lie anywhere.
 */
export function occurredMatches(range: OccurredRange, filter: OccurredFilter, match: OccurredMatch = 'possibly'): boolean {
  const { occurredFromMs: from, occurredToMs: to } = filter;
  if (from === undefined && to === undefined) return true;
  if (range.startMs === null || range.endMs === null) return false;
  if (match === 'possibly') return (from === undefined || range.endMs >= from) && (to === undefined || range.startMs <= to);
  return (from === undefined || range.startMs >= from) && (to === undefined || range.endMs <= to);
}
