import { KnownClaim, knowledgeAt, reportedRange, summaryOf, timeMs } from './development-view';
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
 * The development's status over all of knowledge time, given everything recorded about its claims:
 * a segment starts at every instant a claim is reported or retracted. Empty until a claim exists.
 */
export function statusTimeline(claims: readonly KnownClaim[]): StatusSegment[] {
  const instants = new Set<number>();
  for (const claim of claims) {
    instants.add(timeMs(claim.fields.reportedAt));
    if (claim.retractedAt !== undefined) instants.add(timeMs(claim.retractedAt));
  }
  const sorted = [...instants].sort((a, b) => a - b);
  const segments: StatusSegment[] = [];
  sorted.forEach((knownFromMs, i) => {
    const knowledge = knowledgeAt(claims, knownFromMs);
    segments.push({
      knownFromMs,
      knownToMs: sorted[i + 1] ?? null,
      summary: summaryOf(knowledge),
      previousStatus: segments.at(-1)?.summary.status ?? null,
      ...reportedRange(knowledge.known),
    });
  });
  return segments;
}
