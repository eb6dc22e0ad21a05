import { InvalidInputError, NotFoundError } from '../shared/domain.errors';
import { requireReportedTime } from '../shared/time';
import { ClaimFields, Quantity } from './development.events';

/** A quantity as an editor gives it: `measure` may be left out (the unit is then the measure). */
export type QuantityInput = Readonly<{
  measure?: string;
  unit: string;
  qualifier: Quantity['qualifier'];
  value?: number;
  min?: number;
  max?: number;
}>;

/** A claim (or a claim's changes) as an editor gives it. */
export type ClaimInput = Omit<ClaimFields, 'quantity'> & Readonly<{ quantity?: QuantityInput }>;

/** What the checks of one claim need to know about the development and the store. */
export type ClaimContext = Readonly<{
  /** Registered sources among those the command names (the domain reads no store). */
  registeredSourceIds: readonly string[];
  /** The development's claims: id → knowledge-time ms and what it is derived from. */
  claims: Pick<ReadonlyMap<string, Readonly<{ reportedAtMs: number; derivedFrom?: string }>>, 'has' | 'get'>;
}>;

/** A field's path in the command's input: `prefix` is where the claim sits ('' when it is the input). */
const fieldPath = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

const invalid = (field: string, message: string, detail = `${field} ${message}`) => new InvalidInputError(detail, [{ field, message }]);

/** A point quantity has a `value`; a range has `min` ≤ `max`; never both. `measure` defaults to the unit. */
export function requireQuantity(input: QuantityInput, field: string): Quantity {
  const { unit, qualifier } = input;
  const measure = input.measure ?? unit;
  // Quantities count things (troops, ships, containers): none is below zero.
  for (const key of ['value', 'min', 'max'] as const) {
    if ((input[key] ?? 0) < 0) throw invalid(`${field}.${key}`, 'must not be negative');
  }
  if (qualifier === 'range') {
    if (input.value !== undefined) throw invalid(`${field}.value`, 'must be absent in a range (give min and max)');
    if (input.min === undefined || input.max === undefined) throw invalid(`${field}.${input.min === undefined ? 'min' : 'max'}`, 'is required when qualifier is range');
    if (input.max < input.min) throw invalid(`${field}.max`, 'must not be less than min');
    return { measure, unit, min: input.min, max: input.max, qualifier };
  }
  if (input.min !== undefined || input.max !== undefined) throw invalid(`${field}.${input.min !== undefined ? 'min' : 'max'}`, 'is only for qualifier range');
  if (input.value === undefined) throw invalid(`${field}.value`, 'is required unless qualifier is range');
  return { measure, unit, value: input.value, qualifier };
}

/**
 * A claim's changes checked, its times in UTC: every source it names registered, every claim it
 * names in the development. `claimId` is the claim being reported or corrected.
 */
export function checkedClaimChanges(
  claimId: string,
  input: Partial<ClaimInput>,
  context: ClaimContext,
  prefix: string,
): Partial<ClaimFields> {
  const reportedAt = input.reportedAt === undefined ? undefined : requireReportedTime(input.reportedAt, fieldPath(prefix, 'reportedAt'));
  for (const [name, id] of [['sourceId', input.sourceId], ...(input.via ?? []).map((id, i) => [`via[${i}]`, id])] as const) {
    if (id !== undefined && !context.registeredSourceIds.includes(id)) throw new NotFoundError('source', id, fieldPath(prefix, name));
  }
  if (input.via && new Set(input.via).size !== input.via.length) {
    throw invalid(fieldPath(prefix, 'via'), 'must name each relaying source once');
  }

  if (input.derivedFrom !== undefined) {
    if (input.derivedFrom === claimId) throw invalid(fieldPath(prefix, 'derivedFrom'), 'must name another claim');
    if (!context.claims.has(input.derivedFrom)) throw new NotFoundError('claim', input.derivedFrom, fieldPath(prefix, 'derivedFrom'));
  }
  const publishedAt = input.publication?.publishedAt;
  const published = publishedAt === undefined ? undefined : requireReportedTime(publishedAt, fieldPath(prefix, 'publication.publishedAt'));
  const { quantity, ...rest } = input;
  return {
    ...rest,
    ...(quantity ? { quantity: requireQuantity(quantity, fieldPath(prefix, 'quantity')) } : {}),
    ...(reportedAt ? { reportedAt: reportedAt.text } : {}),
    ...(published ? { publication: { ...input.publication, publishedAt: published.text } } : {}),
  };
}

/**
 * The rules that hold between a claim's fields, checked on the claim as it will stand: `assesses`
 * needs a likelihood and only it has one; a claim repeats only something known no later than itself,
 * and never (through a chain) itself.
 */
export function checkClaimCoherence(claimId: string, claim: ClaimFields, context: ClaimContext, prefix: string): void {
  if (claim.stance === 'assesses' && claim.likelihood === undefined) {
    throw invalid(fieldPath(prefix, 'likelihood'), 'is required when stance is assesses');
  }
  if (claim.stance !== 'assesses' && claim.likelihood !== undefined) {
    throw invalid(fieldPath(prefix, 'likelihood'), 'is only for stance assesses');
  }
  if (claim.via?.includes(claim.sourceId)) {
    throw invalid(fieldPath(prefix, 'via'), 'must not name the claim’s own source: a relay passes on another’s words');
  }
  if (claim.derivedFrom === undefined) return;
  const original = context.claims.get(claim.derivedFrom)!;
  if (original.reportedAtMs > requireReportedTime(claim.reportedAt, fieldPath(prefix, 'reportedAt')).ms) {
    throw invalid(fieldPath(prefix, 'derivedFrom'), 'must name a claim known no later than this one', 'a claim cannot repeat a claim reported after it');
  }
  const seen = new Set([claimId]);
  for (let next: string | undefined = claim.derivedFrom; next !== undefined; next = context.claims.get(next)?.derivedFrom) {
    if (seen.has(next)) throw invalid(fieldPath(prefix, 'derivedFrom'), 'must not lead back to this claim', 'derivedFrom would make a cycle');
    seen.add(next);
  }
}

/** The claim after a correction: listed fields replace the old ones; a likelihood stays only with `assesses`. */
export function correctedClaim(fields: ClaimFields, changes: Partial<ClaimFields>): ClaimFields {
  const next = { ...fields, ...changes };
  if (next.stance === 'assesses' || next.likelihood === undefined) return next;
  const { likelihood: _dropped, ...rest } = next;
  return rest;
}
