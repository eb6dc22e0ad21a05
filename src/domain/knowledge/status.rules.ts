import { Likelihood, Quantity, Stance } from '../development/development.events';

export const DEVELOPMENT_STATUSES = [
  'retracted',
  'confirmed',
  'disputed',
  'denied',
  'corroborated',
  'reported',
  'assessed',
  'unconfirmed',
] as const;
export type DevelopmentStatus = (typeof DEVELOPMENT_STATUSES)[number];

/** What the rules look at in one active claim (known by asOf, not retracted by asOf). */
export type ActiveClaim = Readonly<{
  claimId: string;
  sourceId: string;
  /** From `originsOf`: sources sharing an affiliation, and repetitions, share one. */
  origin: string;
  stance: Stance;
  likelihood?: Likelihood;
  quantity?: Quantity;
  /** As given (a day, month, year or instant); only `reportedAtMs` is compared. */
  reportedAt: string;
  reportedAtMs: number;
}>;

/** One source's latest figure for a measure: exactly the numbers of its quantity, `value` or `min`/`max`. */
export type Figure = Readonly<{
  claimId: string;
  sourceId: string;
  reportedAt: string;
  qualifier: Quantity['qualifier'];
  value?: number;
  min?: number;
  max?: number;
}>;

export type Estimate = Readonly<{ measure: string; unit: string; low: number; high: number; figures: Figure[] }>;

export type Assessment = Readonly<{ sourceId: string; likelihood: Likelihood }>;

/** Everything a view says about a development's claims as of one point of both axes. */
export type KnowledgeSummary = Readonly<{
  status: DevelopmentStatus;
  assertedBy: string[];
  confirmedBy: string[];
  deniedBy: string[];
  assessedBy: Assessment[];
  noEvidenceBy: string[];
  estimates: Estimate[];
}>;

/** Stances that state the thing happened (or how likely it is): only these give figures. */
const STATING: ReadonlySet<Stance> = new Set<Stance>(['asserts', 'confirms', 'assesses']);

/** SPEC §2 status rules over the active claims: the first rule that holds wins. */
export function statusOf(active: readonly ActiveClaim[], retractedClaims: number): DevelopmentStatus {
  const has = (stance: Stance) => active.some((claim) => claim.stance === stance);
  if (active.length === 0 && retractedClaims > 0) return 'retracted';
  if (has('confirms')) return 'confirmed';
  if (has('asserts') && has('denies')) return 'disputed';
  if (has('denies')) return 'denied';
  const assertingOrigins = new Set(active.filter((claim) => claim.stance === 'asserts').map((claim) => claim.origin));
  if (assertingOrigins.size >= 2) return 'corroborated';
  if (has('asserts')) return 'reported';
  if (has('assesses')) return 'assessed';
  return 'unconfirmed';
}

/**
 * Per (measure, unit), sorted by measure then unit: each source's latest stating claim with a
 * quantity of that measure (a later one supersedes an earlier one even in another unit).
 */
export function estimatesOf(active: readonly ActiveClaim[]): Estimate[] {
  // Source → measure → its latest stating claim with a quantity of that measure.
  const latestBySourceAndMeasure = new Map<string, Map<string, ActiveClaim & { quantity: Quantity }>>();
  for (const claim of active) {
    const { quantity } = claim;
    if (!quantity || !STATING.has(claim.stance)) continue;
    let byMeasure = latestBySourceAndMeasure.get(claim.sourceId);
    if (!byMeasure) latestBySourceAndMeasure.set(claim.sourceId, (byMeasure = new Map()));
    const seen = byMeasure.get(quantity.measure);
    if (!seen || isLater(claim, seen)) byMeasure.set(quantity.measure, claim as ActiveClaim & { quantity: Quantity });
  }

  const byMeasureAndUnit = new Map<string, { measure: string; unit: string; figures: Figure[] }>();
  for (const claim of [...latestBySourceAndMeasure.values()].flatMap((byMeasure) => [...byMeasure.values()])) {
    const { measure, unit } = claim.quantity;
    const key = JSON.stringify([measure, unit]);
    const group = byMeasureAndUnit.get(key) ?? { measure, unit, figures: [] };
    group.figures.push(figureOf(claim));
    byMeasureAndUnit.set(key, group);
  }

  return [...byMeasureAndUnit.values()]
    .sort((a, b) => compare(a.measure, b.measure) || compare(a.unit, b.unit))
    .map(({ measure, unit, figures }) => {
      const numbers = figures.flatMap((figure) =>
        figure.value !== undefined ? [figure.value] : [figure.min!, figure.max!],
      );
      return {
        measure,
        unit,
        low: Math.min(...numbers),
        high: Math.max(...numbers),
        figures: figures.sort((a, b) => compare(a.sourceId, b.sourceId)),
      };
    });
}

export function summarize(active: readonly ActiveClaim[], retractedClaims: number): KnowledgeSummary {
  return {
    status: statusOf(active, retractedClaims),
    assertedBy: sourcesWith(active, 'asserts'),
    confirmedBy: sourcesWith(active, 'confirms'),
    deniedBy: sourcesWith(active, 'denies'),
    assessedBy: assessmentsOf(active),
    noEvidenceBy: sourcesWith(active, 'no-evidence'),
    estimates: estimatesOf(active),
  };
}

function sourcesWith(active: readonly ActiveClaim[], stance: Stance): string[] {
  const ids = new Set(active.filter((claim) => claim.stance === stance).map((claim) => claim.sourceId));
  return [...ids].sort(compare);
}

/** One entry per source: the likelihood of its latest active assessment that carries one. */
function assessmentsOf(active: readonly ActiveClaim[]): Assessment[] {
  const latest = new Map<string, ActiveClaim & { likelihood: Likelihood }>();
  for (const claim of active) {
    const { likelihood } = claim;
    if (claim.stance !== 'assesses' || likelihood === undefined) continue;
    const seen = latest.get(claim.sourceId);
    if (!seen || isLater(claim, seen)) latest.set(claim.sourceId, { ...claim, likelihood });
  }
  return [...latest.values()]
    .sort((a, b) => compare(a.sourceId, b.sourceId))
    .map(({ sourceId, likelihood }) => ({ sourceId, likelihood }));
}

function figureOf(claim: ActiveClaim & { quantity: Quantity }): Figure {
  const { claimId, sourceId, reportedAt, quantity } = claim;
  return quantity.qualifier === 'range'
    ? { claimId, sourceId, reportedAt, qualifier: quantity.qualifier, min: quantity.min, max: quantity.max }
    : { claimId, sourceId, reportedAt, qualifier: quantity.qualifier, value: quantity.value };
}

/** Latest by knowledge time, then by claimId, so ties resolve the same whatever the input order. */
function isLater(claim: ActiveClaim, than: ActiveClaim): boolean {
  return claim.reportedAtMs !== than.reportedAtMs
    ? claim.reportedAtMs > than.reportedAtMs
    : compare(claim.claimId, than.claimId) > 0;
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
