import { DevelopmentStatus } from './status.rules';

/** A point on both time axes, in epoch ms (inclusive upper bounds). */
export type TimePoint = Readonly<{ asOfMs: number; recordedAsOfMs: number }>;

/** Filters of `/v1/knowledge`, shared by the read model and the replay. */
export type KnowledgeFilter = Readonly<{
  /** Any of these topics, ignoring case (`topicKey`), in the description as known at asOf. */
  topics?: readonly string[];
  /** Developments with an active claim (known and not retracted as of asOf) by this source. */
  sourceId?: string;
  status?: DevelopmentStatus;
  occurredFromMs?: number;
  occurredToMs?: number;
  /** `possibly` (default): the occurred interval overlaps the range; `certainly`: it lies wholly inside it. */
  occurredMatch?: 'possibly' | 'certainly';
  /**
   * `q`, as its terms (`parseSearchQuery`): developments in which every term appears among the title
   * and summary as known at asOf and the quotes of the claims active then (those the view lists).
   */
  searchTerms?: readonly string[];
}>;

// Valid-time ranges live beside `occurred`; re-exported so callers of the query keep one import.
export { OPEN_END, OPEN_START, UNKNOWN_OCCURRED, occurredMatches, occurredRange } from '../development/occurred';
export type { OccurredMatch, OccurredRange } from '../development/occurred';
