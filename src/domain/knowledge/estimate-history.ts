import { Estimate } from './status.rules';

/** A stretch of knowledge time and the estimates of its summary (a status segment, in knowledge order). */
export type EstimatesFrom = Readonly<{ knownFromMs: number; at: string; estimates: readonly Estimate[] }>;

/** One moment an estimate changed: its state from then on; `low`/`high` null and no figures once it has none. */
export type EstimateChange = Readonly<{
  at: string;
  measure: string;
  unit: string;
  low: number | null;
  high: number | null;
  figures: Estimate['figures'];
}>;

const keyOf = (estimate: Pick<Estimate, 'measure' | 'unit'>) => JSON.stringify([estimate.measure, estimate.unit]);

/**
 * How a development's estimates moved over knowledge time: an item each time an estimate (per
 * measure and unit) appears, changes (its low, high or any figure) or is gone (its figures all
 * retracted). Segments must be in knowledge order; items come by time, then measure, then unit.
 */
export function estimateHistory(segments: readonly EstimatesFrom[]): EstimateChange[] {
  const changes: EstimateChange[] = [];
  let previous = new Map<string, Estimate>();
  for (const segment of segments) {
    const current = new Map(segment.estimates.map((estimate) => [keyOf(estimate), estimate]));
    const keys = [...new Set([...previous.keys(), ...current.keys()])].sort();
    for (const key of keys) {
      const before = previous.get(key);
      const now = current.get(key);
      if (JSON.stringify(before) === JSON.stringify(now)) continue;
      const [measure, unit] = JSON.parse(key) as [string, string];
      changes.push(
        now
          ? { at: segment.at, measure, unit, low: now.low, high: now.high, figures: now.figures }
          : { at: segment.at, measure, unit, low: null, high: null, figures: [] },
      );
    }
    previous = current;
  }
  return changes;
}
