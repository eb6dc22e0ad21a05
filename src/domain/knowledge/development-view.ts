import { ClaimFields, DevelopmentFields, Publication, Quantity } from '../development/development.events';
import { parseReportedTime } from '../shared/time';
import { KnowledgeSummary, summarize } from './status.rules';

/**
 * A claim as the read side knows it: its current fields, and its retraction if one was recorded.
 * Build it with {@link knownClaim}, which parses the times once.
 */
export type KnownClaim = Readonly<{
  claimId: string;
  fields: ClaimFields;
  retractedAt?: string;
  reportedAtMs: number;
  retractedAtMs?: number;
}>;

export type ClaimView = Readonly<{
  id: string;
  sourceId: string;
  stance: ClaimFields['stance'];
  reportedAt: string;
  quantity: Quantity | null;
  quote: string | null;
  publication: Publication | null;
  credibility: number | null;
}>;

export type OccurredView = Readonly<{ from: string | null; to: string | null; label: string | null }>;

export type DevelopmentView = Readonly<
  {
    id: string;
    title: string;
    summary: string | null;
    category: string | null;
    occurred: OccurredView | null;
    location: string | null;
    actors: readonly string[];
    topics: readonly string[];
    firstReportedAt: string;
    lastReportedAt: string;
    claims: ClaimView[];
  } & KnowledgeSummary
>;

/** Knowledge-time ms of a stored time text (validated when the event was decided). */
export const timeMs = (text: string): number => parseReportedTime(text)?.ms ?? Number.NaN;

/** `times`: the parsed times when the caller has them already (read models store them). */
export function knownClaim(
  claimId: string,
  fields: ClaimFields,
  retractedAt?: string,
  times?: { reportedAtMs: number; retractedAtMs?: number },
): KnownClaim {
  return {
    claimId,
    fields,
    reportedAtMs: times?.reportedAtMs ?? timeMs(fields.reportedAt),
    ...(retractedAt === undefined ? {} : { retractedAt, retractedAtMs: times?.retractedAtMs ?? timeMs(retractedAt) }),
  };
}

/** Claims in the order views list them: by knowledge time, then id. */
export function byReportedAt(a: KnownClaim, b: KnownClaim): number {
  return a.reportedAtMs - b.reportedAtMs || (a.claimId < b.claimId ? -1 : a.claimId > b.claimId ? 1 : 0);
}

export const isActiveAt = (claim: KnownClaim, asOfMs: number): boolean =>
  claim.retractedAtMs === undefined || claim.retractedAtMs > asOfMs;

export type KnowledgeAt = Readonly<{ known: KnownClaim[]; active: KnownClaim[] }>;

/** Which claims are known (reported by asOf) and which of those are active (not retracted by asOf). */
export function knowledgeAt(claims: Iterable<KnownClaim>, asOfMs: number): KnowledgeAt {
  const known = [...claims].filter((claim) => claim.reportedAtMs <= asOfMs).sort(byReportedAt);
  const active = known.filter((claim) => isActiveAt(claim, asOfMs));
  return { known, active };
}

export function summaryOf({ known, active }: KnowledgeAt): KnowledgeSummary {
  return summarize(
    active.map((claim) => claim.fields),
    known.length - active.length,
  );
}

/** First and last `reportedAt` among known claims (known must be sorted by {@link byReportedAt}). */
export function reportedRange(known: readonly KnownClaim[]): { firstReportedAt: string; lastReportedAt: string } {
  return {
    firstReportedAt: known[0].fields.reportedAt,
    lastReportedAt: known.reduce((last, claim) => (claim.reportedAtMs >= last.reportedAtMs ? claim : last)).fields.reportedAt,
  };
}

export function claimView({ claimId, fields }: KnownClaim): ClaimView {
  return {
    id: claimId,
    sourceId: fields.sourceId,
    stance: fields.stance,
    reportedAt: fields.reportedAt,
    quantity: fields.quantity ?? null,
    quote: fields.quote ?? null,
    publication: fields.publication ?? null,
    credibility: fields.credibility ?? null,
  };
}

export function occurredView(occurred: DevelopmentFields['occurred']): OccurredView | null {
  if (!occurred) return null;
  return { from: occurred.from ?? null, to: occurred.to ?? null, label: occurred.label ?? null };
}

/** Assembles the view; `summary` and the reported range come from whichever side computed them. */
export function developmentView(
  id: string,
  fields: DevelopmentFields,
  knowledge: Readonly<{ summary: KnowledgeSummary; firstReportedAt: string; lastReportedAt: string; active: readonly KnownClaim[] }>,
): DevelopmentView {
  return {
    id,
    title: fields.title,
    summary: fields.summary ?? null,
    category: fields.category ?? null,
    occurred: occurredView(fields.occurred),
    location: fields.location ?? null,
    actors: fields.actors ?? [],
    topics: fields.topics ?? [],
    ...knowledge.summary,
    firstReportedAt: knowledge.firstReportedAt,
    lastReportedAt: knowledge.lastReportedAt,
    claims: knowledge.active.map(claimView),
  };
}
