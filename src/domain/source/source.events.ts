import { Event } from '../shared/event';

export const SOURCE_KINDS = [
  'government',
  'intelligence',
  'military',
  'official',
  'media',
  'ngo',
  'anonymous',
  'other',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Admiralty source reliability, A (completely reliable) to F (cannot be judged). */
export const RELIABILITY_GRADES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Reliability = (typeof RELIABILITY_GRADES)[number];

export type SourceProfile = Readonly<{
  name: string;
  kind: SourceKind;
  country?: string;
  /** Slug of the origin this source belongs to (e.g. `kr-government`); absent: the source is its own origin. */
  affiliation?: string;
  /** The reliability given at registration; later ratings are `SourceRated`, known in time. */
  reliability?: Reliability;
}>;

export type SourceRegistered = Event<'SourceRegistered', { sourceId: string } & SourceProfile>;

/** A reliability rating given later, known from `reportedAt` (knowledge time, as given; instants in UTC). */
export type SourceRated = Event<'SourceRated', { sourceId: string; reliability: Reliability; reportedAt: string; reason: string }>;

export type SourceEvent = SourceRegistered | SourceRated;

export const sourceStreamId = (sourceId: string): string => `source-${sourceId}`;

/** Sources that share an affiliation are one origin (SPEC §2); a source without one is its own. */
export function originOfSource(source: Readonly<{ id: string; affiliation?: string }>): string {
  return source.affiliation ?? source.id;
}
