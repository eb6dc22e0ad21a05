import { DevelopmentFields } from '../development/development.events';
import { KnownRevision, revisionsInKnowledgeOrder } from './development-view';

/** Knowledge time before any revision: the description first recorded holds from the beginning. */
export const BEFORE_ANY_REVISION = Number.MIN_SAFE_INTEGER;

/** One stretch of knowledge time over which a development's description is constant. `knownToMs` is exclusive; null: from then on. */
export type DescriptionSegment = Readonly<{ knownFromMs: number; knownToMs: number | null; fields: DevelopmentFields }>;

/**
 * The description over all of knowledge time: the one first recorded, then a segment from each
 * instant a revision became known (revisions of one instant applied in the order recorded).
 * Whether the development itself is known yet is its claims' business, not this timeline's.
 */
export function descriptionTimeline(base: DevelopmentFields, revisions: readonly KnownRevision[]): DescriptionSegment[] {
  const segments: { knownFromMs: number; knownToMs: number | null; fields: DevelopmentFields }[] = [
    { knownFromMs: BEFORE_ANY_REVISION, knownToMs: null, fields: base },
  ];
  for (const revision of revisionsInKnowledgeOrder(revisions)) {
    const last = segments[segments.length - 1];
    const fields = { ...last.fields, ...revision.changes };
    if (last.knownFromMs === revision.reportedAtMs) last.fields = fields;
    else {
      last.knownToMs = revision.reportedAtMs;
      segments.push({ knownFromMs: revision.reportedAtMs, knownToMs: null, fields });
    }
  }
  return segments;
}
