import { DAY_MS, dayText, knownFromMs, MONTHS, periodEndMs, periodStartMs } from './dates';
import type { Zoom } from './view-state';

/*
 * Where each development sits on the occurred axis: pure arithmetic, apart from the page. A fuzzy date
 * is drawn as its whole earliest–latest span; an open side ("by May", "since 2022") runs to the edge
 * of the axis and is marked open; no date at all goes to its own lane.
 */

export type Occurred = Readonly<{ earliest: string | null; latest: string | null }> | null;

export type Span = Readonly<{ startMs: number; endMs: number; openStart: boolean; openEnd: boolean }>;

export type Scale = Readonly<{ startMs: number; endMs: number; ticks: readonly Tick[] }>;
export type Tick = Readonly<{ ms: number; label: string }>;

const ZOOM_DAYS: Record<Zoom, number | undefined> = { all: undefined, '1y': 366, '90d': 90, '30d': 30 };

/** The dated bounds of an occurred interval, or undefined when it has neither. */
function bounds(occurred: Occurred): { earliestMs?: number; latestMs?: number } | undefined {
  if (!occurred || (occurred.earliest === null && occurred.latest === null)) return undefined;
  return {
    earliestMs: occurred.earliest === null ? undefined : periodStartMs(occurred.earliest),
    latestMs: occurred.latest === null ? undefined : periodEndMs(occurred.latest),
  };
}

export const isDated = (occurred: Occurred): boolean => bounds(occurred) !== undefined;

/**
 * The axis over every dated interval, reaching the as-of day when one is given (an open end runs to
 * it, not beyond: nothing later is known), zoomed to the last days before its end, with ticks a
 * reader can use.
 */
export function scaleOf(occurreds: readonly Occurred[], zoom: Zoom, asOfMs?: number): Scale | undefined {
  const instants = occurreds.flatMap((occurred) => {
    const b = bounds(occurred);
    return b ? [b.earliestMs, b.latestMs].filter((ms): ms is number => ms !== undefined) : [];
  });
  if (instants.length === 0) return undefined;
  let endMs = Math.max(...instants, ...(asOfMs === undefined ? [] : [asOfMs]));
  let startMs = Math.min(...instants);
  endMs = Math.ceil((endMs + 1) / DAY_MS) * DAY_MS;
  const zoomDays = ZOOM_DAYS[zoom];
  if (zoomDays !== undefined) startMs = Math.max(startMs, endMs - zoomDays * DAY_MS);
  startMs = Math.floor(startMs / DAY_MS) * DAY_MS;
  if (endMs - startMs < 7 * DAY_MS) startMs = endMs - 7 * DAY_MS;
  const pad = (endMs - startMs) * 0.02;
  return { startMs: startMs - pad, endMs: endMs + pad, ticks: ticksOf(startMs - pad, endMs + pad) };
}

/** A development's bar, clipped to the axis, or undefined for an undated one or one wholly off it. */
export function spanOf(occurred: Occurred, scale: Scale): Span | undefined {
  const b = bounds(occurred);
  if (!b) return undefined;
  const startMs = b.earliestMs ?? scale.startMs;
  const endMs = b.latestMs ?? scale.endMs;
  if (endMs < scale.startMs || startMs > scale.endMs) return undefined;
  return {
    startMs: Math.max(startMs, scale.startMs),
    endMs: Math.min(endMs, scale.endMs),
    openStart: b.earliestMs === undefined || b.earliestMs < scale.startMs,
    openEnd: b.latestMs === undefined || b.latestMs > scale.endMs,
  };
}

/** A fraction of the axis, 0 to 100. */
export const percentOf = (ms: number, scale: Scale): number => ((ms - scale.startMs) / (scale.endMs - scale.startMs)) * 100;

/** Years, quarters, months, weeks or days: whichever gives about four to twelve ticks. */
function ticksOf(startMs: number, endMs: number): Tick[] {
  const days = (endMs - startMs) / DAY_MS;
  const start = new Date(startMs);
  const ticks: Tick[] = [];
  if (days > 4 * 366) {
    for (let year = start.getUTCFullYear() + 1; Date.UTC(year, 0, 1) <= endMs; year++) ticks.push({ ms: Date.UTC(year, 0, 1), label: String(year) });
    return ticks;
  }
  if (days > 60) {
    const step = days > 730 ? 6 : days > 366 ? 3 : days > 180 ? 2 : 1;
    for (let m = start.getUTCFullYear() * 12 + start.getUTCMonth() + 1; ; m++) {
      const ms = Date.UTC(Math.floor(m / 12), m % 12, 1);
      if (ms > endMs) break;
      if (m % step === 0) ticks.push({ ms, label: m % 12 === 0 ? String(m / 12) : `${MONTHS[m % 12]}${step > 1 ? ` ${Math.floor(m / 12)}` : ''}` });
    }
    return ticks;
  }
  const step = days > 28 ? 7 : days > 14 ? 2 : 1;
  for (let ms = Math.ceil(startMs / DAY_MS) * DAY_MS; ms <= endMs; ms += DAY_MS * step) {
    const date = new Date(ms);
    ticks.push({ ms, label: `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}` });
  }
  return ticks;
}

/** The slider's days: from the day before the first report was known to the day the last one was. */
export function knowledgeDays(firstReported: readonly string[], lastReported: readonly string[]): { first: string; last: string } | undefined {
  const starts = firstReported.map(knownFromMs).filter((ms): ms is number => ms !== undefined);
  const ends = lastReported.map(knownFromMs).filter((ms): ms is number => ms !== undefined);
  if (starts.length === 0 || ends.length === 0) return undefined;
  return { first: dayText(Math.min(...starts) - DAY_MS), last: dayText(Math.max(...ends)) };
}
