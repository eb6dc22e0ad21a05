import { AffiliationOf, KnownClaim, byReportedAt, knowledgeAt, summaryOf } from './development-view';
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
 * One sweep over the instants in order: O(instants × known claims).
 */
export function statusTimeline(claims: readonly KnownClaim[], affiliationOf: AffiliationOf, knownFromMs: number): StatusSegment[] {
  const byTime = [...claims].sort(byReportedAt);
  const instants = [
    ...new Set([knownFromMs, ...claims.flatMap((claim) => (claim.retractedAtMs === undefined ? [claim.reportedAtMs] : [claim.reportedAtMs, claim.retractedAtMs]))]),
  ]
    .filter((instant) => instant >= knownFromMs)
    .sort((a, b) => a - b);
  const segments: StatusSegment[] = [];
  let knownCount = 0;
  let lastReported: KnownClaim | undefined;
  instants.forEach((knownFromMs, i) => {
    while (knownCount < byTime.length && byTime[knownCount].reportedAtMs <= knownFromMs) {
      lastReported = byTime[knownCount];
      knownCount += 1;
    }
    segments.push({
      knownFromMs,
      knownToMs: instants[i + 1] ?? null,
      summary: summaryOf(knowledgeAt(byTime.slice(0, knownCount), knownFromMs), affiliationOf),
      previousStatus: segments.at(-1)?.summary.status ?? null,
      firstReportedAt: byTime[0].fields.reportedAt,
      lastReportedAt: lastReported!.fields.reportedAt,
    });
  });
  return segments;
}
