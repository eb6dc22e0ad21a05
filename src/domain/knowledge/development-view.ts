import { ClaimFields, DevelopmentFields, Likelihood, Publication, Quantity } from '../development/development.events';
import { OccurredView, occurredView } from '../development/occurred';
import { parseReportedTime } from '../shared/time';
import { Reliability, SourceKind } from '../source/source.events';
import { originsOf } from './origins';
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

/** A revision of the description as the read side knows it, with its corrections applied. */
export type KnownRevision = Readonly<{ revisionId: string; changes: Partial<DevelopmentFields>; reportedAt: string; reportedAtMs: number }>;

/** Which origin (SPEC §2) a source's claims come from: its affiliation, else itself. */
export type AffiliationOf = (sourceId: string) => string;

/**
 * The source a claim view embeds, with its reliability as of the view's time point. `name` and `kind`
 * are null only for a source whose registration is not recorded by the view's recordedAsOf (the API
 * never records a claim before its source; a log from elsewhere might).
 */
export type ClaimSource = Readonly<{ id: string; name: string | null; kind: SourceKind | null; reliability: Reliability | null }>;

/** The source a view embeds for a source id, as of the view's time point. */
export type SourceOf = (sourceId: string) => ClaimSource;

/** {@link SourceOf} for a source nobody recorded (by then). */
export const unrecordedSource = (id: string): ClaimSource => ({ id, name: null, kind: null, reliability: null });

export type ClaimView = Readonly<{
  id: string;
  source: ClaimSource;
  stance: ClaimFields['stance'];
  likelihood: Likelihood | null;
  reportedAt: string;
  quantity: Quantity | null;
  quote: string | null;
  publication: Publication | null;
  via: readonly string[];
  derivedFrom: string | null;
  credibility: number | null;
}>;

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

/** Knowledge-time ms a stored time text counts from (validated when the event was decided). */
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

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Claims in the order views list them: by knowledge time, then id. */
export function byReportedAt(a: KnownClaim, b: KnownClaim): number {
  return a.reportedAtMs - b.reportedAtMs || byId(a.claimId, b.claimId);
}

export const isActiveAt = (claim: KnownClaim, asOfMs: number): boolean =>
  claim.retractedAtMs === undefined || claim.retractedAtMs > asOfMs;

export type KnowledgeAt = Readonly<{ known: KnownClaim[]; active: KnownClaim[] }>;

/**
 * Whether the development is known at `asOfMs`: it becomes known when the claim it was recorded with
 * is reported (SPEC §2), whatever else is known by then.
 */
export const isKnownAt = (firstClaim: KnownClaim | undefined, asOfMs: number): boolean => firstClaim !== undefined && firstClaim.reportedAtMs <= asOfMs;

/** Which claims are known (reported by asOf) and which of those are active (not retracted by asOf). */
export function knowledgeAt(claims: Iterable<KnownClaim>, asOfMs: number): KnowledgeAt {
  const known = [...claims].filter((claim) => claim.reportedAtMs <= asOfMs).sort(byReportedAt);
  const active = known.filter((claim) => isActiveAt(claim, asOfMs));
  return { known, active };
}

/**
 * The status rules' summary over the active claims, each counted by its origin among the claims
 * known then (a repetition of a claim not yet known is its own origin).
 */
export function summaryOf({ known, active }: KnowledgeAt, affiliationOf: AffiliationOf): KnowledgeSummary {
  // Without a repetition among them, each claim's origin is its own source's (what `originsOf` would find).
  const origins = known.some((claim) => claim.fields.derivedFrom !== undefined)
    ? originsOf(
        known.map((claim) => ({ claimId: claim.claimId, sourceId: claim.fields.sourceId, derivedFrom: claim.fields.derivedFrom })),
        affiliationOf,
      )
    : undefined;
  return summarize(
    active.map((claim) => ({
      claimId: claim.claimId,
      sourceId: claim.fields.sourceId,
      origin: origins ? origins.get(claim.claimId)! : affiliationOf(claim.fields.sourceId),
      stance: claim.fields.stance,
      likelihood: claim.fields.likelihood,
      quantity: claim.fields.quantity,
      reportedAt: claim.fields.reportedAt,
      reportedAtMs: claim.reportedAtMs,
    })),
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

/**
 * The description as known at `asOfMs`: the one first recorded, then each revision known by then in
 * knowledge-time order (revisions of the same instant in the order recorded: `revisions` is).
 */
export function descriptionAt(base: DevelopmentFields, revisions: readonly KnownRevision[], asOfMs: number): DevelopmentFields {
  return revisionsInKnowledgeOrder(revisions)
    .filter((revision) => revision.reportedAtMs <= asOfMs)
    .reduce<DevelopmentFields>((fields, revision) => ({ ...fields, ...revision.changes }), base);
}

/** Revisions by knowledge time, stable for the same instant (the order recorded). */
export function revisionsInKnowledgeOrder(revisions: readonly KnownRevision[]): KnownRevision[] {
  return revisions.map((revision, order) => ({ revision, order })).sort((a, b) => a.revision.reportedAtMs - b.revision.reportedAtMs || a.order - b.order).map(({ revision }) => revision);
}

/**
 * A claim's publication as of `asOfMs`: where this record read it, shown from its `publishedAt` on
 * (counted as a `reportedAt` is). Earlier, the claim shows without it: the article came later, and
 * its headline can tell what happened after the claim.
 */
export function publicationAt(publication: Publication | undefined, asOfMs: number): Publication | null {
  if (publication === undefined) return null;
  const published = publication.publishedAt === undefined ? undefined : parseReportedTime(publication.publishedAt);
  return published !== undefined && published.ms > asOfMs ? null : publication;
}

/** A claim as a view as of `asOfMs` shows it. */
export function claimView({ claimId, fields }: KnownClaim, sourceOf: SourceOf, asOfMs: number): ClaimView {
  return {
    id: claimId,
    source: sourceOf(fields.sourceId),
    stance: fields.stance,
    likelihood: fields.likelihood ?? null,
    reportedAt: fields.reportedAt,
    quantity: fields.quantity ?? null,
    quote: fields.quote ?? null,
    publication: publicationAt(fields.publication, asOfMs),
    via: fields.via ?? [],
    derivedFrom: fields.derivedFrom ?? null,
    credibility: fields.credibility ?? null,
  };
}

/** Assembles the view; `summary` and the reported range come from whichever side computed them. */
export function developmentView(
  id: string,
  fields: DevelopmentFields,
  knowledge: Readonly<{ summary: KnowledgeSummary; firstReportedAt: string; lastReportedAt: string; active: readonly KnownClaim[] }>,
  sourceOf: SourceOf,
  asOfMs: number,
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
    claims: knowledge.active.map((claim) => claimView(claim, sourceOf, asOfMs)),
  };
}
