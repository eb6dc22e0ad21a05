import { PostgresAdapter, sql } from 'kysely';
import { ClaimFields, DevelopmentFields } from '../../domain/development/development.events';
import { DevelopmentView, KnownClaim, developmentView, knownClaim, knowledgeAt } from '../../domain/knowledge/development-view';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { DevelopmentStatus, KnowledgeSummary } from '../../domain/knowledge/status.rules';
import { SourceProfile } from '../../domain/source/source.events';
import { ReadModelDatabase } from '../../database/read-model-database';
import { ReadModelSchema } from '../../database/schema';

/** Where a page of `/v1/knowledge` ends: the last item's sort key and id. */
export type KnowledgeCursor = Readonly<{ sortKey: number; id: string }>;

export type KnowledgePage = Readonly<{ items: DevelopmentView[]; next?: KnowledgeCursor }>;

export type ChangeKind = 'development-reported' | 'claim-reported' | 'claim-retracted' | 'status-changed';

export type KnowledgeChange = Readonly<{
  at: string;
  position: number;
  developmentId: string;
  kind: ChangeKind;
  claimId?: string;
  sourceId?: string;
  status?: { from: DevelopmentStatus | null; to: DevelopmentStatus };
}>;

export type SourceView = Readonly<{ id: string } & SourceProfile>;

/** Rows of a bitemporal table current at transaction time `recordedAsOfMs`. */
function currentAt(table: string, recordedAsOfMs: number) {
  const from = sql.ref(`${table}.sys_from`);
  const to = sql.ref(`${table}.sys_to`);
  return sql<boolean>`(${from} <= ${recordedAsOfMs} and ${to} > ${recordedAsOfMs})`;
}

/**
 * The development named by `table.development_id` is in `topic` at transaction time `recordedAsOfMs`.
 * Written as IN (subquery) so the planner starts from the topic's few rows, not from every development.
 */
function inTopic(table: string, topic: string, recordedAsOfMs: number) {
  return sql<boolean>`${sql.ref(`${table}.development_id`)} in (select development_topics.development_id from development_topics where development_topics.topic = ${topic} and ${currentAt(
    'development_topics',
    recordedAsOfMs,
  )})`;
}

/**
 * `column` is one of `values`: on PostgreSQL one array parameter, so the statement's text (and its
 * prepared plan) is the same whatever the number of values; on SQLite an IN list.
 */
function oneOf(column: string, values: readonly string[], postgres: boolean) {
  return postgres ? sql<boolean>`${sql.ref(column)} = any(${sql.val([...values])}::text[])` : sql<boolean>`${sql.ref(column)} in (${sql.join([...values])})`;
}

const CHANGE_ORDER: Record<ChangeKind, number> = {
  'development-reported': 0,
  'claim-reported': 1,
  'claim-retracted': 2,
  'status-changed': 3,
};

/** Answers knowledge questions from the read model alone; never reads the log. */
export class KnowledgeQueries {
  private readonly postgres: boolean;

  constructor(private readonly db: ReadModelDatabase) {
    this.postgres = db.query.getExecutor().adapter instanceof PostgresAdapter;
  }

  async knowledgeAsOf(at: TimePoint, filter: KnowledgeFilter, limit: number, cursor?: KnowledgeCursor): Promise<KnowledgePage> {
    let query = this.db.query
      .selectFrom('development_versions')
      .innerJoin('status_segments', 'status_segments.development_id', 'development_versions.development_id')
      .select([
        'development_versions.development_id',
        'development_versions.fields',
        'development_versions.occurred_sort',
        'status_segments.summary',
        'status_segments.first_reported_at',
        'status_segments.last_reported_at',
      ])
      .where(currentAt('development_versions', at.recordedAsOfMs))
      .where(currentAt('status_segments', at.recordedAsOfMs))
      .where('status_segments.known_from', '<=', at.asOfMs)
      .where('status_segments.known_to', '>', at.asOfMs);
    if (filter.topic !== undefined) query = query.where(inTopic('development_versions', filter.topic, at.recordedAsOfMs));
    if (filter.status !== undefined) query = query.where('status_segments.status', '=', filter.status);
    if (filter.occurredFromMs !== undefined) query = query.where('development_versions.occurred_end', '>=', filter.occurredFromMs);
    if (filter.occurredToMs !== undefined) query = query.where('development_versions.occurred_start', '<=', filter.occurredToMs);
    if (cursor) {
      query = query.where(({ eb, refTuple, tuple }) =>
        eb(refTuple('development_versions.occurred_sort', 'development_versions.development_id'), '>', tuple(cursor.sortKey, cursor.id)),
      );
    }
    const rows = await query
      .orderBy('development_versions.occurred_sort')
      .orderBy('development_versions.development_id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const claims = await this.activeClaims(
      page.map((row) => row.development_id),
      at,
    );
    const items = page.map((row) =>
      developmentView(row.development_id, JSON.parse(row.fields) as DevelopmentFields, {
        summary: JSON.parse(row.summary) as KnowledgeSummary,
        firstReportedAt: row.first_reported_at,
        lastReportedAt: row.last_reported_at,
        active: claims.get(row.development_id) ?? [],
      }),
    );
    const last = page[page.length - 1];
    return {
      items,
      next: rows.length > limit && last ? { sortKey: Number(last.occurred_sort), id: last.development_id } : undefined,
    };
  }

  async developmentAsOf(id: string, at: TimePoint): Promise<DevelopmentView | undefined> {
    const row = await this.db.query
      .selectFrom('development_versions')
      .innerJoin('status_segments', 'status_segments.development_id', 'development_versions.development_id')
      .select([
        'development_versions.fields',
        'status_segments.summary',
        'status_segments.first_reported_at',
        'status_segments.last_reported_at',
      ])
      .where('development_versions.development_id', '=', id)
      .where(currentAt('development_versions', at.recordedAsOfMs))
      .where(currentAt('status_segments', at.recordedAsOfMs))
      .where('status_segments.known_from', '<=', at.asOfMs)
      .where('status_segments.known_to', '>', at.asOfMs)
      .executeTakeFirst();
    if (!row) return undefined;
    const claims = await this.activeClaims([id], at);
    return developmentView(id, JSON.parse(row.fields) as DevelopmentFields, {
      summary: JSON.parse(row.summary) as KnowledgeSummary,
      firstReportedAt: row.first_reported_at,
      lastReportedAt: row.last_reported_at,
      active: claims.get(id) ?? [],
    });
  }

  /** Active claims as of both axes, by development, in view order. */
  private async activeClaims(developmentIds: readonly string[], at: TimePoint): Promise<Map<string, KnownClaim[]>> {
    const byDevelopment = new Map<string, KnownClaim[]>();
    if (developmentIds.length === 0) return byDevelopment;
    const rows = await this.db.query
      .selectFrom('claim_versions')
      .leftJoin('claim_retractions', (join) =>
        join
          .onRef('claim_retractions.claim_id', '=', 'claim_versions.claim_id')
          .on('claim_retractions.sys_from', '<=', at.recordedAsOfMs),
      )
      .select([
        'claim_versions.claim_id',
        'claim_versions.development_id',
        'claim_versions.fields',
        'claim_versions.reported_at_ms',
        'claim_retractions.reported_at',
        'claim_retractions.reported_at_ms as retracted_at_ms',
      ])
      .where(oneOf('claim_versions.development_id', developmentIds, this.postgres))
      .where(currentAt('claim_versions', at.recordedAsOfMs))
      .where('claim_versions.reported_at_ms', '<=', at.asOfMs)
      .execute();
    for (const row of rows) {
      const claim = knownClaim(row.claim_id, JSON.parse(row.fields) as ClaimFields, row.reported_at ?? undefined, {
        reportedAtMs: Number(row.reported_at_ms),
        retractedAtMs: row.retracted_at_ms === null ? undefined : Number(row.retracted_at_ms),
      });
      const claims = byDevelopment.get(row.development_id);
      if (claims) claims.push(claim);
      else byDevelopment.set(row.development_id, [claim]);
    }
    for (const [id, claims] of byDevelopment) byDevelopment.set(id, knowledgeAt(claims, at.asOfMs).active);
    return byDevelopment;
  }

  /** What became known in knowledge time (fromMs, toMs], as recorded by `recordedAsOfMs`. */
  async changes(fromMs: number, toMs: number, recordedAsOfMs: number, topic?: string): Promise<KnowledgeChange[]> {
    const topicOf = (table: string) => (topic === undefined ? sql<boolean>`1 = 1` : inTopic(table, topic, recordedAsOfMs));

    const segments = await this.db.query
      .selectFrom('status_segments')
      .select(['development_id', 'known_from', 'known_from_text', 'status', 'previous_status', 'cause_position'])
      .where(currentAt('status_segments', recordedAsOfMs))
      .where('known_from', '>', fromMs)
      .where('known_from', '<=', toMs)
      .where(topicOf('status_segments'))
      .execute();
    const claims = await this.db.query
      .selectFrom('claim_versions')
      .select(['claim_id', 'development_id', 'fields', 'position', 'reported_at_ms'])
      .where(currentAt('claim_versions', recordedAsOfMs))
      .where('reported_at_ms', '>', fromMs)
      .where('reported_at_ms', '<=', toMs)
      .where(topicOf('claim_versions'))
      .execute();
    const retractions = await this.db.query
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
      .where(topicOf('claim_retractions'))
      .execute();

    const changes: (KnowledgeChange & { ms: number })[] = [];
    for (const segment of segments) {
      const base = { at: segment.known_from_text, ms: Number(segment.known_from), position: Number(segment.cause_position), developmentId: segment.development_id };
      const to = segment.status as DevelopmentStatus;
      const from = segment.previous_status as DevelopmentStatus | null;
      if (from === null) changes.push({ ...base, kind: 'development-reported', status: { from, to } });
      else if (from !== to) changes.push({ ...base, kind: 'status-changed', status: { from, to } });
    }
    for (const claim of claims) {
      const fields = JSON.parse(claim.fields) as ClaimFields;
      changes.push({
        at: fields.reportedAt,
        ms: Number(claim.reported_at_ms),
        position: Number(claim.position),
        developmentId: claim.development_id,
        kind: 'claim-reported',
        claimId: claim.claim_id,
        sourceId: fields.sourceId,
      });
    }
    for (const retraction of retractions) {
      changes.push({
        at: retraction.reported_at,
        ms: Number(retraction.reported_at_ms),
        position: Number(retraction.position),
        developmentId: retraction.development_id,
        kind: 'claim-retracted',
        claimId: retraction.claim_id,
        sourceId: (JSON.parse(retraction.fields) as ClaimFields).sourceId,
      });
    }
    return changes
      .sort((a, b) => a.ms - b.ms || a.position - b.position || CHANGE_ORDER[a.kind] - CHANGE_ORDER[b.kind])
      .map(({ ms: _ms, ...change }) => change);
  }

  async sources(): Promise<SourceView[]> {
    const rows = await this.db.query.selectFrom('sources').select(['source_id', 'profile']).orderBy('source_id').execute();
    return rows.map((row) => ({ id: row.source_id, ...(JSON.parse(row.profile) as SourceProfile) }));
  }

  async source(id: string): Promise<SourceView | undefined> {
    const row = await this.db.query
      .selectFrom('sources')
      .select(['source_id', 'profile'])
      .where('source_id', '=', id)
      .executeTakeFirst();
    return row ? { id: row.source_id, ...(JSON.parse(row.profile) as SourceProfile) } : undefined;
  }
}
