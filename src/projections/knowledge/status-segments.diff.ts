import { ClaimFields } from '../../domain/development/development.events';
import { AffiliationOf, KnownClaim, knownClaim, timeMs } from '../../domain/knowledge/development-view';
import { statusTimeline } from '../../domain/knowledge/status-timeline';
import { FOREVER, ReadModelSchema } from '../../database/schema';

// Read-model tables without generated columns: a selected row has the schema's own column types.
type Row<T extends keyof ReadModelSchema, C extends keyof ReadModelSchema[T]> = Pick<ReadModelSchema[T], C>;

export type ClaimRow = Row<'claim_versions', 'claim_id' | 'fields' | 'position'>;
export type RetractionRow = Row<'claim_retractions', 'claim_id' | 'reported_at' | 'position'>;

/** A development's current claim versions and its retractions, as the read model holds them. */
export type RecordedClaims = Readonly<{
  /** The claim the development was recorded with: it becomes known when that claim is reported. */
  firstClaimId: string;
  claims: readonly ClaimRow[];
  retractions: readonly RetractionRow[];
}>;

/** A status segment's content: everything but its transaction time (`sys_from`, `sys_to`). */
export type SegmentRow = Row<
  'status_segments',
  | 'development_id'
  | 'known_from'
  | 'known_to'
  | 'status'
  | 'previous_status'
  | 'summary'
  | 'known_from_text'
  | 'first_reported_at'
  | 'last_reported_at'
  | 'cause_position'
>;

/** The current segments to close (by `known_from`) and the segments to insert in their place. */
export type StatusSegmentDiff = Readonly<{ close: number[]; insert: SegmentRow[] }>;

/**
 * Re-derives a development's status timeline from what is recorded about its claims and compares
 * it with its current segments: a segment unchanged in every column stays, so a new claim closes
 * only the segments it really changes. `changedFromMs`: the earliest knowledge time the changes
 * since the last derivation touch (see {@link statusTimeline}); only the segments ending at or after
 * it are derived and compared, the earlier ones stay as they are. `current` may hold only those.
 */
export function statusSegmentDiff(
  developmentId: string,
  recorded: RecordedClaims,
  current: readonly SegmentRow[],
  affiliationOf: AffiliationOf = (sourceId) => sourceId,
  changedFromMs = Number.NEGATIVE_INFINITY,
): StatusSegmentDiff {
  // The open segment (it never ends) is always derived again.
  const touched = current.filter((row) => Number(row.known_to) >= Math.min(changedFromMs, FOREVER));
  const { closed, insert } = changedSegments(touched, statusSegments(developmentId, recorded, affiliationOf, changedFromMs), segmentKey);
  return { close: closed.map((row) => Number(row.known_from)), insert };
}

/**
 * A timeline's segments re-derived, against its current ones: the current segments that differ from
 * every next one (in `key`, all their columns) are closed, the next ones that differ from every current
 * one inserted; an unchanged segment stays. Shared by the status and description timelines.
 */
export function changedSegments<Current, Next>(
  current: readonly Current[],
  next: readonly Next[],
  key: (row: Current | Next) => string,
): { closed: Current[]; insert: Next[] } {
  // A timeline derived for the first time has nothing to compare (and a key costs a JSON text per row).
  if (current.length === 0 || next.length === 0) return { closed: [...current], insert: [...next] };
  const currentKeys = current.map(key);
  const nextKeys = next.map(key);
  const inNext = new Set(nextKeys);
  const inCurrent = new Set(currentKeys);
  return { closed: current.filter((_, i) => !inNext.has(currentKeys[i])), insert: next.filter((_, i) => !inCurrent.has(nextKeys[i])) };
}

/** A claim row parsed: its fields, its knowledge time, and the claim as known while it is not retracted. */
type ParsedClaim = Readonly<{ fields: ClaimFields; reportedAtMs: number; unretracted: KnownClaim }>;

/**
 * Each claim row's fields and knowledge time, parsed once: the projection keeps a development's rows
 * between derivations (`RecordedClaimsCache`), so a row is parsed when first derived from, not at
 * every claim after it.
 */
const parsedClaims = new WeakMap<ClaimRow, ParsedClaim>();

function parsedClaim(row: ClaimRow): ParsedClaim {
  let parsed = parsedClaims.get(row);
  if (parsed === undefined) {
    const fields = JSON.parse(row.fields) as ClaimFields;
    const reportedAtMs = timeMs(fields.reportedAt);
    parsedClaims.set(row, (parsed = { fields, reportedAtMs, unretracted: knownClaim(row.claim_id, fields, undefined, { reportedAtMs }) }));
  }
  return parsed;
}

function statusSegments(developmentId: string, { firstClaimId, claims, retractions }: RecordedClaims, affiliationOf: AffiliationOf, changedFromMs: number): SegmentRow[] {
  const retractionOf = new Map(retractions.map((row) => [row.claim_id, row]));
  // In the order they were recorded, whatever order they come in: claims whose times do not parse
  // (a log from elsewhere) sort by their place in it.
  const byPosition = [...claims].sort((a, b) => Number(a.position) - Number(b.position));
  const known: KnownClaim[] = byPosition.map((row) => {
    const { fields, reportedAtMs, unretracted } = parsedClaim(row);
    const retraction = retractionOf.get(row.claim_id);
    if (!retraction) return unretracted;
    return knownClaim(row.claim_id, fields, retraction.reported_at, { reportedAtMs, retractedAtMs: timeMs(retraction.reported_at) });
  });
  const first = known.find((claim) => claim.claimId === firstClaimId);
  if (!first) return [];
  const segments = statusTimeline(known, affiliationOf, first.reportedAtMs, changedFromMs);
  // Which recorded fact each derived segment's instant comes from (the latest recorded then), and its
  // wording of the time (that of the first fact recorded then), whatever order the rows come in.
  // Only the derived instants are noted: usually two of the development's many.
  const derived = new Set(segments.map((segment) => segment.knownFromMs));
  const causes = new Map<number, { position: number; text: string; textPosition: number }>();
  const noteCause = (text: string, ms: number, position: number) => {
    if (!derived.has(ms)) return;
    const seen = causes.get(ms);
    if (!seen) return void causes.set(ms, { position, text, textPosition: position });
    seen.position = Math.max(seen.position, position);
    if (position < seen.textPosition) {
      seen.text = text;
      seen.textPosition = position;
    }
  };
  for (let i = 0; i < known.length; i++) {
    const claim = known[i];
    noteCause(claim.fields.reportedAt, claim.reportedAtMs, Number(byPosition[i].position));
    if (claim.retractedAt !== undefined) noteCause(claim.retractedAt, claim.retractedAtMs!, Number(retractionOf.get(claim.claimId)!.position));
  }
  return segments.map((segment) => {
    const cause = causes.get(segment.knownFromMs)!;
    return {
      development_id: developmentId,
      known_from: segment.knownFromMs,
      known_to: segment.knownToMs ?? FOREVER,
      status: segment.summary.status,
      previous_status: segment.previousStatus,
      summary: JSON.stringify(segment.summary),
      known_from_text: cause.text,
      first_reported_at: segment.firstReportedAt,
      last_reported_at: segment.lastReportedAt,
      cause_position: cause.position,
    };
  });
}

/** Every column but the development, with PostgreSQL's bigint strings read as numbers. */
const segmentKey = (row: SegmentRow): string =>
  JSON.stringify([
    Number(row.known_from),
    Number(row.known_to),
    row.status,
    row.previous_status,
    row.summary,
    row.known_from_text,
    row.first_reported_at,
    row.last_reported_at,
    Number(row.cause_position),
  ]);
