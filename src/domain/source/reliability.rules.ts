import { Reliability } from './source.events';

/** A `SourceRated` as a view needs it: its knowledge time and transaction time in epoch ms, and its log position. */
export type RecordedRating = Readonly<{
  reliability: Reliability;
  reportedAt: string;
  reportedAtMs: number;
  reason: string;
  recordedAtMs: number;
  position: number;
}>;

/** A point on both time axes, in epoch ms (inclusive upper bounds). */
export type RatingTimePoint = Readonly<{ asOfMs: number; recordedAsOfMs: number }>;

/**
 * The ratings a view as of `at` may show: reported by `asOf` and recorded by `recordedAsOf`, in
 * knowledge order (reportedAt, then log position, so of two ratings reported at the same time the one
 * recorded later wins).
 */
export function ratingsKnownAt(ratings: readonly RecordedRating[], at: RatingTimePoint): RecordedRating[] {
  return ratings
    .filter((rating) => rating.reportedAtMs <= at.asOfMs && rating.recordedAtMs <= at.recordedAsOfMs)
    .sort((a, b) => a.reportedAtMs - b.reportedAtMs || a.position - b.position);
}

/**
 * A source's reliability as of `at` (SPEC §2: a rating shows only in views as of its reportedAt on):
 * the latest rating known then, else the reliability given at registration, else null.
 */
export function reliabilityAsOf(registered: Reliability | undefined, ratings: readonly RecordedRating[], at: RatingTimePoint): Reliability | null {
  return ratingsKnownAt(ratings, at).at(-1)?.reliability ?? registered ?? null;
}
