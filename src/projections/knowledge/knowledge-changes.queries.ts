import { Kysely } from 'kysely';
import { ClaimFields, DevelopmentFields, Likelihood, Quantity, Stance } from '../../domain/development/development.events';
import { estimateHistory } from '../../domain/knowledge/estimate-history';
import { DevelopmentStatus, KnowledgeSummary } from '../../domain/knowledge/status.rules';
import { ReadModelSchema } from '../../database/schema';
import { currentAt, inTopicIfAny } from './read-model.sql';

/** The kinds of change, in the order changes at the same instant and position are listed. */
export const CHANGE_KINDS = ['development-reported', 'development-revised', 'claim-reported', 'claim-retracted', 'status-changed', 'estimate-changed'] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

export type KnowledgeChange = Readonly<{
  at: string;
  position: number;
  developmentId: string;
  kind: ChangeKind;
  claimId?: string;
  sourceId?: string;
  /** A reported claim's stance, and its likelihood for an assessment: how strongly it was said. */
  stance?: Stance;
  likelihood?: Likelihood;
  /** A reported claim's quantity. */
  quantity?: Quantity;
  /** A revision: its id and the fields it changed. */
  revisionId?: string;
  fields?: string[];
  status?: { from: DevelopmentStatus | null; to: DevelopmentStatus };
  /** An estimate from then on (`low`/`high` null once its figures are all retracted). */
  estimate?: { measure: string; unit: string; low: number | null; high: number | null };
}>;

/** What `changes` is asked: knowledge time (fromMs, toMs] as recorded by `recordedAsOfMs`, in any of `topics` (as known at toMs) if given. */
export type ChangeWindow = Readonly<{ fromMs: number; toMs: number; recordedAsOfMs: number; topics?: readonly string[] }>;

/** A change and its knowledge-time ms, the first sort key. */
type TimedChange = KnowledgeChange & { ms: number };

type ChangeQuery = (db: Kysely<ReadModelSchema>, window: ChangeWindow) => Promise<TimedChange[]>;

const CHANGE_QUERIES: Record<ChangeKind, ChangeQuery> = {
  'development-reported': (db, window) => statusSegmentChanges(db, window, 'development-reported'),
  'development-revised': revisions,
  'claim-reported': claimsReported,
  'claim-retracted': claimsRetracted,
  'status-changed': (db, window) => statusSegmentChanges(db, window, 'status-changed'),
  'estimate-changed': estimatesChanged,
};

/**
 * Every kind of change in the window, by knowledge time, then a development's report before its
 * claims of the same instant, then the position of the fact that caused it.
 */
export async function knowledgeChanges(db: Kysely<ReadModelSchema>, window: ChangeWindow): Promise<KnowledgeChange[]> {
  const changes: TimedChange[] = [];
  for (const kind of CHANGE_KINDS) changes.push(...(await CHANGE_QUERIES[kind](db, window)));
  const knownFrom = await knownSince(db, [...new Set(changes.map((change) => change.developmentId))], window.recordedAsOfMs);
  // A claim or revision of a development not yet known then (one reported earlier, added later) is
  // not news then: the development's report, when it came, brought it.
  const known = changes.filter((change) => change.ms >= (knownFrom.get(change.developmentId) ?? Number.POSITIVE_INFINITY));
  return inListOrder(known).map(({ ms: _ms, ...change }) => change);
}

/** When each development became known (its first status segment), as recorded by `recordedAsOfMs`. */
async function knownSince(db: Kysely<ReadModelSchema>, developmentIds: readonly string[], recordedAsOfMs: number): Promise<Map<string, number>> {
  const since = new Map<string, number>();
  // In slices, so a wide window never passes more parameters than a statement may hold.
  for (let start = 0; start < developmentIds.length; start += 500) {
    const rows = await db
      .selectFrom('status_segments')
      .select(['development_id', 'known_from'])
      .where('development_id', 'in', developmentIds.slice(start, start + 500))
      .where(currentAt('status_segments', recordedAsOfMs))
      .where('previous_status', 'is', null)
      .execute();
    for (const row of rows) since.set(row.development_id, Number(row.known_from));
  }
  return since;
}

/**
 * The list's order. A development's report is caused by its first claims (its cause is the last of
 * those reported at that instant), so it is placed at the first of them, before them.
 */
export function inListOrder<T extends Pick<KnowledgeChange, 'developmentId' | 'kind' | 'position'> & { ms: number }>(changes: readonly T[]): T[] {
  const firstClaim = new Map<string, number>();
  for (const change of changes) {
    if (change.kind !== 'claim-reported') continue;
    const key = JSON.stringify([change.developmentId, change.ms]);
    firstClaim.set(key, Math.min(firstClaim.get(key) ?? change.position, change.position));
  }
  const placed = (change: T) =>
    change.kind === 'development-reported' ? Math.min(change.position, firstClaim.get(JSON.stringify([change.developmentId, change.ms])) ?? change.position) : change.position;
  return [...changes].sort((a, b) => a.ms - b.ms || placed(a) - placed(b) || CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind));
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
      stance: fields.stance,
      ...(fields.likelihood ? { likelihood: fields.likelihood } : {}),
      ...(fields.quantity ? { quantity: fields.quantity } : {}),
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

/** A revision recorded by `recordedAsOfMs` (with its corrections then) whose knowledge time is in the window. */
async function revisions(db: Kysely<ReadModelSchema>, { fromMs, toMs, recordedAsOfMs, topics }: ChangeWindow): Promise<TimedChange[]> {
  const rows = await db
    .selectFrom('development_revisions')
    .select(['revision_id', 'development_id', 'reported_at', 'reported_at_ms', 'recorded_order', 'changes'])
    .where(currentAt('development_revisions', recordedAsOfMs))
    .where('reported_at_ms', '>', fromMs)
    .where('reported_at_ms', '<=', toMs)
    .where(inTopicIfAny('development_revisions', topics, { recordedAsOfMs, asOfMs: toMs }))
    .execute();
  return rows.map((row) => ({
    at: row.reported_at,
    ms: Number(row.reported_at_ms),
    position: Number(row.recorded_order),
    developmentId: row.development_id,
    kind: 'development-revised',
    revisionId: row.revision_id,
    fields: Object.keys(JSON.parse(row.changes) as Partial<DevelopmentFields>).sort(),
  }));
}

/**
 * Each moment an estimate changed in the window: the estimate history of every development with a
 * status segment starting in it, from its segments up to the window's end.
 */
async function estimatesChanged(db: Kysely<ReadModelSchema>, { fromMs, toMs, recordedAsOfMs, topics }: ChangeWindow): Promise<TimedChange[]> {
  const segments = await db
    .selectFrom('status_segments')
    .select(['development_id', 'known_from', 'known_from_text', 'summary', 'cause_position'])
    .where(currentAt('status_segments', recordedAsOfMs))
    .where('known_from', '<=', toMs)
    .where((eb) =>
      eb(
        'development_id',
        'in',
        eb
          .selectFrom('status_segments as moved')
          .select('moved.development_id')
          .where(currentAt('moved', recordedAsOfMs))
          .where('moved.known_from', '>', fromMs)
          .where('moved.known_from', '<=', toMs),
      ),
    )
    .where(inTopicIfAny('status_segments', topics, { recordedAsOfMs, asOfMs: toMs }))
    .orderBy('development_id')
    .orderBy('known_from')
    .execute();
  const byDevelopment = new Map<string, typeof segments>();
  for (const segment of segments) {
    const rows = byDevelopment.get(segment.development_id);
    if (rows) rows.push(segment);
    else byDevelopment.set(segment.development_id, [segment]);
  }
  const changes: TimedChange[] = [];
  for (const [developmentId, rows] of byDevelopment) {
    const causeAt = new Map(rows.map((row) => [row.known_from_text, { ms: Number(row.known_from), position: Number(row.cause_position) }]));
    const history = estimateHistory(
      rows.map((row) => ({ knownFromMs: Number(row.known_from), at: row.known_from_text, estimates: (JSON.parse(row.summary) as KnowledgeSummary).estimates })),
    );
    for (const { at, measure, unit, low, high } of history) {
      const cause = causeAt.get(at)!;
      if (cause.ms <= fromMs) continue;
      changes.push({ at, ms: cause.ms, position: cause.position, developmentId, kind: 'estimate-changed', estimate: { measure, unit, low, high } });
    }
  }
  return changes;
}
