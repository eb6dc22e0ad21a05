import { Kysely } from 'kysely';
import { RecordedRating, RatingTimePoint, ratingsKnownAt, reliabilityAsOf } from '../../domain/source/reliability.rules';
import { Reliability, SourceProfile } from '../../domain/source/source.events';
import { ReadModelSchema } from '../../database/schema';
import { oneOf } from './read-model.sql';

/** A source as of a time point: every field present, `null` where none was given; `reliability` as of then. */
export type SourceView = Readonly<{
  id: string;
  name: string;
  kind: SourceProfile['kind'];
  country: string | null;
  affiliation: string | null;
  reliability: Reliability | null;
}>;

export type RatingView = Readonly<{ reliability: Reliability; reportedAt: string; reason: string }>;

/** One source with the ratings known then, in knowledge order. */
export type SourceDetailView = SourceView & Readonly<{ ratings: RatingView[] }>;

/**
 * Sources recorded by `at.recordedAsOfMs` (all of them, or those among `ids`), by id, each with its
 * reliability as of `at`. Every rating of theirs is read and `reliabilityAsOf` chooses: ratings are
 * few per source, and the choice stays in one place.
 */
export async function sourcesAsOf(db: Kysely<ReadModelSchema>, at: RatingTimePoint, postgres: boolean, ids?: readonly string[]): Promise<SourceDetailView[]> {
  if (ids?.length === 0) return [];
  let sources = db.selectFrom('sources').select(['source_id', 'profile']).where('sys_from', '<=', at.recordedAsOfMs);
  let ratings = db
    .selectFrom('source_ratings')
    .select(['source_id', 'position', 'sys_from', 'reported_at', 'reported_at_ms', 'reliability', 'reason']);
  if (ids) {
    sources = sources.where(oneOf('source_id', ids, postgres));
    ratings = ratings.where(oneOf('source_id', ids, postgres));
  }
  const [sourceRows, ratingRows] = await Promise.all([sources.orderBy('source_id').execute(), ratings.execute()]);
  const bySource = new Map<string, RecordedRating[]>();
  for (const row of ratingRows) {
    const rating: RecordedRating = {
      reliability: row.reliability as Reliability,
      reportedAt: row.reported_at,
      reportedAtMs: Number(row.reported_at_ms),
      reason: row.reason,
      recordedAtMs: Number(row.sys_from),
      position: Number(row.position),
    };
    const known = bySource.get(row.source_id);
    if (known) known.push(rating);
    else bySource.set(row.source_id, [rating]);
  }
  return sourceRows.map((row) => {
    const profile = JSON.parse(row.profile) as SourceProfile;
    const recorded = bySource.get(row.source_id) ?? [];
    return {
      id: row.source_id,
      name: profile.name,
      kind: profile.kind,
      country: profile.country ?? null,
      affiliation: profile.affiliation ?? null,
      reliability: reliabilityAsOf(profile.reliability, recorded, at),
      ratings: ratingsKnownAt(recorded, at).map(({ reliability, reportedAt, reason }) => ({ reliability, reportedAt, reason })),
    };
  });
}
