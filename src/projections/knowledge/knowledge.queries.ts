import { PostgresAdapter } from 'kysely';
import { ClaimFields, DevelopmentFields } from '../../domain/development/development.events';
import { DevelopmentView, KnownClaim, developmentView, knownClaim, knowledgeAt, timeMs } from '../../domain/knowledge/development-view';
import { EstimateChange, estimateHistory } from '../../domain/knowledge/estimate-history';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { KnowledgeSummary } from '../../domain/knowledge/status.rules';
import { ReadModelDatabase } from '../../database/read-model-database';
import { KnowledgeChange, knowledgeChanges } from './knowledge-changes.queries';
import { currentAt, inTopic, knownAt, occurredWithin, oneOf } from './read-model.sql';
import { SourceDetailView, SourceView, sourcesAsOf } from './sources.queries';

/** Where a page of `/v1/knowledge` ends: the last item's sort key and id. */
export type KnowledgeCursor = Readonly<{ sortKey: number; id: string }>;

export type KnowledgePage = Readonly<{ items: DevelopmentView[]; next?: KnowledgeCursor }>;

/** Answers knowledge questions from the read model alone; never reads the log. */
export class KnowledgeQueries {
  private readonly postgres: boolean;

  constructor(private readonly db: ReadModelDatabase) {
    this.postgres = db.query.getExecutor().adapter instanceof PostgresAdapter;
  }

  async knowledgeAsOf(at: TimePoint, filter: KnowledgeFilter, limit: number, cursor?: KnowledgeCursor): Promise<KnowledgePage> {
    let query = this.atPoint(at);
    if (filter.topic !== undefined) query = query.where(inTopic('description_segments', filter.topic, at));
    if (filter.status !== undefined) query = query.where('status_segments.status', '=', filter.status);
    query = query.where(occurredWithin(filter));
    if (cursor) {
      query = query.where(({ eb, refTuple, tuple }) =>
        eb(refTuple('description_segments.occurred_sort', 'description_segments.development_id'), '>', tuple(cursor.sortKey, cursor.id)),
      );
    }
    const rows = await query
      .orderBy('description_segments.occurred_sort')
      .orderBy('description_segments.development_id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const claims = await this.activeClaims(
      page.map((row) => row.development_id),
      at,
    );
    const items = page.map((row) => this.view(row, claims.get(row.development_id) ?? []));
    const last = page[page.length - 1];
    return {
      items,
      next: rows.length > limit && last ? { sortKey: Number(last.occurred_sort), id: last.development_id } : undefined,
    };
  }

  async developmentAsOf(id: string, at: TimePoint): Promise<DevelopmentView | undefined> {
    const row = await this.atPoint(at).where('description_segments.development_id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const claims = await this.activeClaims([id], at);
    return this.view(row, claims.get(id) ?? []);
  }

  /** Each development known at both axes: its description and its status summary then. */
  private atPoint(at: TimePoint) {
    return this.db.query
      .selectFrom('description_segments')
      .innerJoin('status_segments', 'status_segments.development_id', 'description_segments.development_id')
      .select([
        'description_segments.development_id',
        'description_segments.fields',
        'description_segments.occurred_sort',
        'status_segments.summary',
        'status_segments.first_reported_at',
        'status_segments.last_reported_at',
      ])
      .where(currentAt('description_segments', at.recordedAsOfMs))
      .where(knownAt('description_segments', at.asOfMs))
      .where(currentAt('status_segments', at.recordedAsOfMs))
      .where('status_segments.known_from', '<=', at.asOfMs)
      .where('status_segments.known_to', '>', at.asOfMs);
  }

  private view(
    row: { development_id: string; fields: string; summary: string; first_reported_at: string; last_reported_at: string },
    active: readonly KnownClaim[],
  ): DevelopmentView {
    return developmentView(row.development_id, JSON.parse(row.fields) as DevelopmentFields, {
      summary: JSON.parse(row.summary) as KnowledgeSummary,
      firstReportedAt: row.first_reported_at,
      lastReportedAt: row.last_reported_at,
      active,
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

  /**
   * How the development's estimates moved: every change in knowledge time (fromMs, toMs] as recorded
   * by `recordedAsOfMs`, read from its status segments; undefined when it was not recorded by then.
   */
  async estimateHistory(
    id: string,
    window: Readonly<{ fromMs: number; toMs: number; recordedAsOfMs: number; measure?: string; unit?: string }>,
  ): Promise<EstimateChange[] | undefined> {
    const recorded = await this.db.query
      .selectFrom('development_versions')
      .select('development_id')
      .where('development_id', '=', id)
      .where(currentAt('development_versions', window.recordedAsOfMs))
      .executeTakeFirst();
    if (!recorded) return undefined;
    const segments = await this.db.query
      .selectFrom('status_segments')
      .select(['known_from', 'known_from_text', 'summary'])
      .where('development_id', '=', id)
      .where(currentAt('status_segments', window.recordedAsOfMs))
      .where('known_from', '<=', window.toMs)
      .orderBy('known_from')
      .execute();
    return estimateHistory(
      segments.map((row) => ({ knownFromMs: Number(row.known_from), at: row.known_from_text, estimates: (JSON.parse(row.summary) as KnowledgeSummary).estimates })),
    ).filter(
      (change) =>
        timeMs(change.at) > window.fromMs &&
        (window.measure === undefined || change.measure === window.measure) &&
        (window.unit === undefined || change.unit === window.unit),
    );
  }

  /** What became known in knowledge time (fromMs, toMs], as recorded by `recordedAsOfMs`. */
  changes(fromMs: number, toMs: number, recordedAsOfMs: number, topic?: string): Promise<KnowledgeChange[]> {
    return knowledgeChanges(this.db.query, { fromMs, toMs, recordedAsOfMs, topic });
  }

  /** Sources recorded by `at.recordedAsOfMs`, by id, each with its reliability as of `at`. */
  async sources(at: TimePoint): Promise<SourceView[]> {
    return (await sourcesAsOf(this.db.query, at, this.postgres)).map(({ ratings: _ratings, ...source }) => source);
  }

  /** One source as of `at` with the ratings known then; `undefined` when it was not recorded by `at.recordedAsOfMs`. */
  async source(id: string, at: TimePoint): Promise<SourceDetailView | undefined> {
    return (await sourcesAsOf(this.db.query, at, this.postgres, [id]))[0];
  }
}
