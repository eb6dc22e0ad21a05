import { PostgresAdapter } from 'kysely';
import { ClaimFields, DevelopmentFields } from '../../domain/development/development.events';
import { DevelopmentView, KnownClaim, developmentView, knownClaim, knowledgeAt } from '../../domain/knowledge/development-view';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { KnowledgeSummary } from '../../domain/knowledge/status.rules';
import { ReadModelDatabase } from '../../database/read-model-database';
import { KnowledgeChange, knowledgeChanges } from './knowledge-changes.queries';
import { currentAt, inTopic, oneOf } from './read-model.sql';
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
