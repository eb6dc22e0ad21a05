import { Kysely } from 'kysely';
import { ClaimFields } from '../../domain/development/development.events';
import { DevelopmentStatus } from '../../domain/knowledge/status.rules';
import { ReadModelSchema } from '../../database/schema';
import { currentAt, inTopicIfAny } from './read-model.sql';

/** The kinds of change, in the order changes at the same instant and position are listed. */
const CHANGE_KINDS = ['development-reported', 'claim-reported', 'claim-retracted', 'status-changed'] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

export type KnowledgeChange = Readonly<{
  at: string;
  position: number;
  developmentId: string;
  kind: ChangeKind;
  claimId?: string;
  sourceId?: string;
  status?: { from: DevelopmentStatus | null; to: DevelopmentStatus };
}>;

/** What `changes` is asked: knowledge time (fromMs, toMs] as recorded by `recordedAsOfMs`, in any of `topics` (as known at toMs) if given. */
export type ChangeWindow = Readonly<{ fromMs: number; toMs: number; recordedAsOfMs: number; topics?: readonly string[] }>;

/** A change and its knowledge-time ms, the first sort key. */
type TimedChange = KnowledgeChange & { ms: number };

type ChangeQuery = (db: Kysely<ReadModelSchema>, window: ChangeWindow) => Promise<TimedChange[]>;

const CHANGE_QUERIES: Record<ChangeKind, ChangeQuery> = {
  'development-reported': (db, window) => statusSegmentChanges(db, window, 'development-reported'),
  'claim-reported': claimsReported,
  'claim-retracted': claimsRetracted,
  'status-changed': (db, window) => statusSegmentChanges(db, window, 'status-changed'),
};

/** Every kind of change in the window, by knowledge time, then the position of the fact that caused it. */
export async function knowledgeChanges(db: Kysely<ReadModelSchema>, window: ChangeWindow): Promise<KnowledgeChange[]> {
  const changes: TimedChange[] = [];
  for (const kind of CHANGE_KINDS) changes.push(...(await CHANGE_QUERIES[kind](db, window)));
  return changes
    .sort((a, b) => a.ms - b.ms || a.position - b.position || CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind))
    .map(({ ms: _ms, ...change }) => change);
}

/** A development's first segment is its being reported; a later one whose status differs, a status change. */
async function statusSegmentChanges(
  db: Kysely<ReadModelSchema>,
  { fromMs, toMs, recordedAsOfMs, topics }: ChangeWindow,
  kind: 'development-reported' | 'status-changed',
): Promise<TimedChange[]> {
  const segments = await db
    .selectFrom('status_segments')
    .select(['development_id', 'known_from', 'known_from_text', 'status', 'previous_status', 'cause_position'])
    .where(currentAt('status_segments', recordedAsOfMs))
    .where('known_from', '>', fromMs)
    .where('known_from', '<=', toMs)
    .where((eb) =>
      kind === 'development-reported'
        ? eb('previous_status', 'is', null)
        : eb.and([eb('previous_status', 'is not', null), eb('previous_status', '<>', eb.ref('status'))]),
    )
    .where(inTopicIfAny('status_segments', topics, { recordedAsOfMs, asOfMs: toMs }))
    .execute();
  return segments.map((segment) => ({
    at: segment.known_from_text,
    ms: Number(segment.known_from),
    position: Number(segment.cause_position),
    developmentId: segment.development_id,
    kind,
    status: { from: segment.previous_status as DevelopmentStatus | null, to: segment.status as DevelopmentStatus },
  }));
}

async function claimsReported(db: Kysely<ReadModelSchema>, { fromMs, toMs, recordedAsOfMs, topics }: ChangeWindow): Promise<TimedChange[]> {
  const claims = await db
    .selectFrom('claim_versions')
    .select(['claim_id', 'development_id', 'fields', 'position', 'reported_at_ms'])
    .where(currentAt('claim_versions', recordedAsOfMs))
    .where('reported_at_ms', '>', fromMs)
    .where('reported_at_ms', '<=', toMs)
    .where(inTopicIfAny('claim_versions', topics, { recordedAsOfMs, asOfMs: toMs }))
    .execute();
  return claims.map((claim) => {
    const fields = JSON.parse(claim.fields) as ClaimFields;
    return {
      at: fields.reportedAt,
      ms: Number(claim.reported_at_ms),
      position: Number(claim.position),
      developmentId: claim.development_id,
      kind: 'claim-reported',
      claimId: claim.claim_id,
      sourceId: fields.sourceId,
    };
  });
}

/** A retraction recorded by `recordedAsOfMs`, with the source of the claim's version current then. */
async function claimsRetracted(db: Kysely<ReadModelSchema>, { fromMs, toMs, recordedAsOfMs, topics }: ChangeWindow): Promise<TimedChange[]> {
  const retractions = await db
    .selectFrom('claim_retractions')
    .innerJoin('claim_versions', 'claim_versions.claim_id', 'claim_retractions.claim_id')
    .select([
      'claim_retractions.claim_id',
      'claim_retractions.development_id',
      'claim_retractions.reported_at',
      'claim_retractions.reported_at_ms',
      'claim_retractions.position',
      'claim_versions.fields',
    ])
    .where('claim_retractions.sys_from', '<=', recordedAsOfMs)
    .where(currentAt('claim_versions', recordedAsOfMs))
    .where('claim_retractions.reported_at_ms', '>', fromMs)
    .where('claim_retractions.reported_at_ms', '<=', toMs)
    .where(inTopicIfAny('claim_retractions', topics, { recordedAsOfMs, asOfMs: toMs }))
    .execute();
  return retractions.map((retraction) => ({
    at: retraction.reported_at,
    ms: Number(retraction.reported_at_ms),
    position: Number(retraction.position),
    developmentId: retraction.development_id,
    kind: 'claim-retracted',
    claimId: retraction.claim_id,
    sourceId: (JSON.parse(retraction.fields) as ClaimFields).sourceId,
  }));
}
