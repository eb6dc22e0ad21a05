import { Quantity, Stance } from '../development/development.events';

export const DEVELOPMENT_STATUSES = [
  'retracted',
  'confirmed',
  'disputed',
  'denied',
  'corroborated',
  'reported',
] as const;
export type DevelopmentStatus = (typeof DEVELOPMENT_STATUSES)[number];

export type Estimate = Readonly<{ unit: string; min: number; max: number; claims: number }>;

/** What the status rules look at in one active claim. */
export type ActiveClaim = Readonly<{ sourceId: string; stance: Stance; quantity?: Quantity }>;

/** Everything a view says about a development's claims as of one point of both axes. */
export type KnowledgeSummary = Readonly<{
  status: DevelopmentStatus;
  assertedBy: string[];
  confirmedBy: string[];
  deniedBy: string[];
  estimates: Estimate[];
}>;

/** SPEC §2 status rules over the active claims: the first rule that holds wins. */
export function statusOf(active: readonly ActiveClaim[], retractedClaims: number): DevelopmentStatus {
  const has = (stance: Stance) => active.some((claim) => claim.stance === stance);
  if (active.length === 0 && retractedClaims > 0) return 'retracted';
  if (has('confirms')) return 'confirmed';
  if (has('asserts') && has('denies')) return 'disputed';
  if (has('denies') && !has('asserts')) return 'denied';
  if (sourcesWith(active, 'asserts').length >= 2) return 'corroborated';
  return 'reported';
}

function sourcesWith(active: readonly ActiveClaim[], stance: Stance): string[] {
  const ids = new Set(active.filter((claim) => claim.stance === stance).map((claim) => claim.sourceId));
  return [...ids].sort();
}

/** Per unit, the range of the quantities active claims gave, units in alphabetical order. */
export function estimatesOf(active: readonly ActiveClaim[]): Estimate[] {
  const byUnit = new Map<string, { min: number; max: number; claims: number }>();
  for (const { quantity } of active) {
    if (!quantity) continue;
    const seen = byUnit.get(quantity.unit);
    byUnit.set(
      quantity.unit,
      seen
        ? { min: Math.min(seen.min, quantity.value), max: Math.max(seen.max, quantity.value), claims: seen.claims + 1 }
        : { min: quantity.value, max: quantity.value, claims: 1 },
    );
  }
  return [...byUnit.keys()].sort().map((unit) => ({ unit, ...byUnit.get(unit)! }));
}

export function summarize(active: readonly ActiveClaim[], retractedClaims: number): KnowledgeSummary {
  return {
    status: statusOf(active, retractedClaims),
    assertedBy: sourcesWith(active, 'asserts'),
    confirmedBy: sourcesWith(active, 'confirms'),
    deniedBy: sourcesWith(active, 'denies'),
    estimates: estimatesOf(active),
  };
}
