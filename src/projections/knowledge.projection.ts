import { ClaimFields, DevelopmentEvent, DevelopmentFields } from '../domain/development/development.events';
import { KnownClaim, knownClaim, timeMs } from '../domain/knowledge/development-view';
import { occurredRange } from '../domain/knowledge/knowledge.query';
import { statusTimeline } from '../domain/knowledge/status-timeline';
import { SourceEvent } from '../domain/source/source.events';
import { ReadModelTransaction } from '../database/read-model-database';
import { FOREVER } from '../database/schema';
import { StoredEvent } from '../event-store/event-store.port';
import { Projection } from './projection';

type KnowledgeEvent = DevelopmentEvent | SourceEvent;

/**
 * The bitemporal knowledge read model: versions of developments and claims over transaction time,
 * retractions, and each development's status timeline over knowledge time, re-derived (only where
 * it changed) each time something about the development is recorded.
 */
export class KnowledgeProjection implements Projection {
  readonly name = 'knowledge';

  async apply(trx: ReadModelTransaction, events: readonly StoredEvent[]): Promise<void> {
    // A timeline is re-derived once per development and transaction time (one append, usually),
    // not once per claim: states between events recorded at the same instant are never visible to
    // any recordedAsOf. Each is re-derived before anything recorded later is applied.
    const changed = new Set<string>();
    let at: number | undefined;
    const rederive = async () => {
      for (const developmentId of changed) await refreshStatusTimeline(trx, developmentId, at!);
      changed.clear();
    };
    for (const stored of events) {
      const recordedAt = Date.parse(stored.recordedAt);
      if (recordedAt !== at) {
        await rederive();
        at = recordedAt;
      }
      await applyEvent(trx, stored, (developmentId) => changed.add(developmentId));
    }
    await rederive();
  }
}

/** One event's rows; `claimsChanged` names a development whose timeline must be re-derived. */
async function applyEvent(trx: ReadModelTransaction, stored: StoredEvent, claimsChanged: (developmentId: string) => void): Promise<void> {
  const event = { type: stored.type, data: stored.data } as KnowledgeEvent;
  const at = Date.parse(stored.recordedAt);
  const position = Number(stored.position);
  switch (event.type) {
    case 'SourceRegistered': {
      const { sourceId, ...profile } = event.data;
      await trx
        .insertInto('sources')
        .values({ source_id: sourceId, profile: JSON.stringify(profile), position })
        .onConflict((conflict) => conflict.doNothing())
        .execute();
      return;
    }
    case 'DevelopmentRecorded': {
      const { developmentId, ...fields } = event.data;
      await insertDevelopmentVersion(trx, developmentId, fields, at, position);
      await updateTopics(trx, developmentId, [], fields.topics ?? [], at);
      return;
    }
    case 'DevelopmentCorrected': {
      const { developmentId, changes } = event.data;
      const current = await trx
        .selectFrom('development_versions')
        .select('fields')
        .where('development_id', '=', developmentId)
        .where('sys_to', '=', FOREVER)
        .executeTakeFirstOrThrow();
      const before = JSON.parse(current.fields) as DevelopmentFields;
      await trx
        .updateTable('development_versions')
        .set({ sys_to: at })
        .where('development_id', '=', developmentId)
        .where('sys_to', '=', FOREVER)
        .execute();
      await insertDevelopmentVersion(trx, developmentId, { ...before, ...changes }, at, position);
      if (changes.topics) await updateTopics(trx, developmentId, before.topics ?? [], changes.topics, at);
      return;
    }
    case 'ClaimReported': {
      const { developmentId, claimId, ...fields } = event.data;
      await insertClaimVersion(trx, developmentId, claimId, fields, at, position);
      claimsChanged(developmentId);
      return;
    }
    case 'ClaimCorrected': {
      const { developmentId, claimId, changes } = event.data;
      const current = await trx
        .selectFrom('claim_versions')
        .select('fields')
        .where('claim_id', '=', claimId)
        .where('sys_to', '=', FOREVER)
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('claim_versions')
        .set({ sys_to: at })
        .where('claim_id', '=', claimId)
        .where('sys_to', '=', FOREVER)
        .execute();
      const fields = { ...(JSON.parse(current.fields) as ClaimFields), ...changes };
      await insertClaimVersion(trx, developmentId, claimId, fields, at, position);
      claimsChanged(developmentId);
      return;
    }
    case 'ClaimRetracted': {
      const { developmentId, claimId, reportedAt, reason } = event.data;
      await trx
        .insertInto('claim_retractions')
        .values({
          claim_id: claimId,
          development_id: developmentId,
          position,
          sys_from: at,
          reported_at: reportedAt,
          reported_at_ms: timeMs(reportedAt),
          reason,
        })
        .execute();
      claimsChanged(developmentId);
      return;
    }
    default:
      // Types this projection does not know (added later) are not its business.
      return;
  }
}

async function insertDevelopmentVersion(
  trx: ReadModelTransaction,
  developmentId: string,
  fields: DevelopmentFields,
  at: number,
  position: number,
): Promise<void> {
  const range = occurredRange(fields.occurred);
  await trx
    .insertInto('development_versions')
    .values({
      development_id: developmentId,
      position,
      sys_from: at,
      sys_to: FOREVER,
      fields: JSON.stringify(fields),
      occurred_sort: range.sortKey,
      occurred_start: range.startMs,
      occurred_end: range.endMs,
    })
    .execute();
}

async function updateTopics(
  trx: ReadModelTransaction,
  developmentId: string,
  before: readonly string[],
  after: readonly string[],
  at: number,
): Promise<void> {
  const removed = before.filter((topic) => !after.includes(topic));
  const added = [...new Set(after.filter((topic) => !before.includes(topic)))];
  if (removed.length > 0) {
    await trx
      .updateTable('development_topics')
      .set({ sys_to: at })
      .where('development_id', '=', developmentId)
      .where('topic', 'in', removed)
      .where('sys_to', '=', FOREVER)
      .execute();
  }
  if (added.length > 0) {
    await trx
      .insertInto('development_topics')
      .values(added.map((topic) => ({ topic, development_id: developmentId, sys_from: at, sys_to: FOREVER })))
      .execute();
  }
}

async function insertClaimVersion(
  trx: ReadModelTransaction,
  developmentId: string,
  claimId: string,
  fields: ClaimFields,
  at: number,
  position: number,
): Promise<void> {
  await trx
    .insertInto('claim_versions')
    .values({
      claim_id: claimId,
      position,
      development_id: developmentId,
      sys_from: at,
      sys_to: FOREVER,
      reported_at_ms: timeMs(fields.reportedAt),
      fields: JSON.stringify(fields),
    })
    .execute();
}

/** Re-derives the development's status timeline and replaces only the segments that changed. */
async function refreshStatusTimeline(trx: ReadModelTransaction, developmentId: string, at: number): Promise<void> {
  const claimRows = await trx
    .selectFrom('claim_versions')
    .select(['claim_id', 'fields', 'position'])
    .where('development_id', '=', developmentId)
    .where('sys_to', '=', FOREVER)
    .execute();
  const retractionRows = await trx
    .selectFrom('claim_retractions')
    .select(['claim_id', 'reported_at', 'position'])
    .where('development_id', '=', developmentId)
    .execute();
  const retractions = new Map(retractionRows.map((row) => [row.claim_id, row]));

  // Which recorded fact (and its wording of the time) each knowledge instant comes from.
  const causes = new Map<number, { position: number; text: string }>();
  const noteCause = (text: string, position: number) => {
    const ms = timeMs(text);
    const seen = causes.get(ms);
    causes.set(ms, { position: Math.max(seen?.position ?? 0, position), text: seen?.text ?? text });
  };
  const claims: KnownClaim[] = claimRows.map((row) => {
    const fields = JSON.parse(row.fields) as ClaimFields;
    const retraction = retractions.get(row.claim_id);
    noteCause(fields.reportedAt, Number(row.position));
    if (retraction) noteCause(retraction.reported_at, Number(retraction.position));
    return knownClaim(row.claim_id, fields, retraction?.reported_at);
  });

  const next = statusTimeline(claims).map((segment) => {
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
  const current = await trx
    .selectFrom('status_segments')
    .select([
      'known_from',
      'known_to',
      'status',
      'previous_status',
      'summary',
      'known_from_text',
      'first_reported_at',
      'last_reported_at',
      'cause_position',
    ])
    .where('development_id', '=', developmentId)
    .where('sys_to', '=', FOREVER)
    .execute();

  type SegmentRow = Omit<(typeof next)[number], 'development_id' | 'known_from' | 'known_to' | 'cause_position'> & {
    known_from: number | string | bigint;
    known_to: number | string | bigint;
    cause_position: number | string | bigint;
  };
  const key = (row: SegmentRow) =>
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
  const nextKeys = new Set(next.map(key));
  const currentKeys = new Set(current.map((row) => key(row as SegmentRow)));
  const stale = current.filter((row) => !nextKeys.has(key(row as SegmentRow))).map((row) => Number(row.known_from));
  const fresh = next.filter((row) => !currentKeys.has(key(row)));
  if (stale.length > 0) {
    await trx
      .updateTable('status_segments')
      .set({ sys_to: at })
      .where('development_id', '=', developmentId)
      .where('sys_to', '=', FOREVER)
      .where('known_from', 'in', stale)
      .execute();
  }
  if (fresh.length > 0) {
    await trx
      .insertInto('status_segments')
      .values(fresh.map((row) => ({ ...row, sys_from: at, sys_to: FOREVER })))
      .execute();
  }
}
