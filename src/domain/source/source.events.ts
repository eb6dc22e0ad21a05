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
  reliability?: Reliability;
}>;

export type SourceRegistered = Event<'SourceRegistered', { sourceId: string } & SourceProfile>;

export type SourceEvent = SourceRegistered;

export const sourceStreamId = (sourceId: string): string => `source-${sourceId}`;
