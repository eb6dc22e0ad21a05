import { AffiliationOf, KnownClaim, byReportedAt, isActiveAt, summaryOf } from './development-view';
import { DevelopmentStatus, KnowledgeSummary } from './status.rules';

/**
 * One stretch of knowledge time over which a development's summary is constant, as recorded at
 * one point of transaction time. `knownToMs` is exclusive; null means "from then on".
 */
export type StatusSegment = Readonly<{
  knownFromMs: number;
  knownToMs: number | null;
  summary: KnowledgeSummary;
  previousStatus: DevelopmentStatus | null;
  firstReportedAt: string;
  lastReportedAt: string;
}>;

/**
 * The development's status over knowledge time from `knownFromMs` (when the claim it was recorded
 * with is reported: before, it is not known), given everything recorded about its claims: a segment
 * starts then and at every later instant a claim is reported or retracted.
 *
 * `changedFromMs`: the earliest knowledge time a change since the last derivation touches (a claim
 * reported, corrected from or to, or retracted then). Everything known before it is as it was, so
 * only the segments that end at or after it are derived (with the status of the one before, as
 * `previousStatus`): a claim reported last costs three summaries (the status before it, the segment
 * that now ends at it, the new one), not one per instant. Omitted, the whole timeline. Each summary
 * is O(known claims).
 */
export function statusTimeline(
  claims: readonly KnownClaim[],
  affiliationOf: AffiliationOf,
  knownFromMs: number,
  changedFromMs = Number.NEGATIVE_INFINITY,
): StatusSegment[] {
  const byTime = [...claims].sort(byReportedAt);
  const instants = instantsFrom(claims, knownFromMs);
  let knownCount = 0;
  let lastReported: KnownClaim | undefined;
  const summaryAt = (instantMs: number): KnowledgeSummary => {
    while (knownCount < byTime.length && byTime[knownCount].reportedAtMs <= instantMs) {
      lastReported = byTime[knownCount];
      knownCount += 1;
    }
    // What `knowledgeAt` gives: the claims reported by then, in order (byTime is), and the active ones among them.
    const known = byTime.slice(0, knownCount);
    return summaryOf({ known, active: known.filter((claim) => isActiveAt(claim, instantMs)) }, affiliationOf);
  };
  // The first segment that ends at or after the change (the last one never ends).
  const first = instants.findIndex((_, i) => i === instants.length - 1 || instants[i + 1] >= changedFromMs);
  let previousStatus = first > 0 ? summaryAt(instants[first - 1]).status : null;
  const segments: StatusSegment[] = [];
  for (let i = first; i < instants.length; i++) {
    const summary = summaryAt(instants[i]);
    segments.push({
      knownFromMs: instants[i],
      knownToMs: instants[i + 1] ?? null,
      summary,
      previousStatus,
      firstReportedAt: byTime[0].fields.reportedAt,
      lastReportedAt: lastReported!.fields.reportedAt,
    });
    previousStatus = summary.status;
  }
  return segments;
}

/** Every instant a claim is reported or retracted, from `knownFromMs` on, once each, in order (times that do not parse left out). */
function instantsFrom(claims: readonly KnownClaim[], knownFromMs: number): number[] {
  const times = new Float64Array(claims.length * 2 + 1);
  let count = 0;
  times[count++] = knownFromMs;
  for (const { reportedAtMs, retractedAtMs } of claims) {
    times[count++] = reportedAtMs;
    if (retractedAtMs !== undefined) times[count++] = retractedAtMs;
  }
  // A typed array sorts numerically, NaN last.
  const sorted = times.subarray(0, count).sort();
  const instants: number[] = [];
  for (const time of sorted) if (time >= knownFromMs && time !== instants[instants.length - 1]) instants.push(time);
  return instants;
}
