import { DevelopmentFields } from '../development/development.events';
import { axisBoundMs, parseReportedTime } from '../shared/time';
import { DevelopmentStatus } from './status.rules';

/** A point on both time axes, in epoch ms (inclusive upper bounds). */
export type TimePoint = Readonly<{ asOfMs: number; recordedAsOfMs: number }>;

/** Filters of `/v1/knowledge`, shared by the read model and the replay. */
export type KnowledgeFilter = Readonly<{
  topic?: string;
  status?: DevelopmentStatus;
  occurredFromMs?: number;
  occurredToMs?: number;
  /** `possibly` (default): the occurred interval overlaps the range; `certainly`: it lies wholly inside it. */
  occurredMatch?: 'possibly' | 'certainly';
}>;

/** Where a development sorts on the valid-time axis: its start, else its end; unknown sorts last. */
export const UNKNOWN_OCCURRED = Number.MAX_SAFE_INTEGER;

/** A missing bound of a half-known interval is open: "from 8 October" has no known end. */
export const OPEN_START = Number.MIN_SAFE_INTEGER;
export const OPEN_END = Number.MAX_SAFE_INTEGER;

/** `startMs`/`endMs` are null only when neither bound is known. */
export type OccurredRange = Readonly<{ sortKey: number; startMs: number | null; endMs: number | null }>;

export function occurredRange(occurred: DevelopmentFields['occurred']): OccurredRange {
  const from = occurred?.from === undefined ? undefined : parseReportedTime(occurred.from);
  const to = occurred?.to === undefined ? undefined : parseReportedTime(occurred.to);
  if (!from && !to) return { sortKey: UNKNOWN_OCCURRED, startMs: null, endMs: null };
  return {
    sortKey: from?.ms ?? to!.ms,
    startMs: from?.ms ?? OPEN_START,
    endMs: to ? axisBoundMs(to) : OPEN_END,
  };
}

/** Valid-time overlap with the filter; a development with no known time never matches a time filter. */
export function occurredMatches(range: OccurredRange, filter: KnowledgeFilter): boolean {
  if (filter.occurredFromMs === undefined && filter.occurredToMs === undefined) return true;
  if (range.startMs === null || range.endMs === null) return false;
  if (filter.occurredFromMs !== undefined && range.endMs < filter.occurredFromMs) return false;
  if (filter.occurredToMs !== undefined && range.startMs > filter.occurredToMs) return false;
  return true;
}
