import { PostgresAdapter, sql } from 'kysely';
import { ClaimFields, DevelopmentFields } from '../../domain/development/development.events';
import {
  ClaimSource,
  ClaimView,
  DevelopmentView,
  KnownClaim,
  SourceOf,
  claimView,
  developmentView,
  knownClaim,
  knowledgeAt,
  timeMs,
  unrecordedSource,
} from '../../domain/knowledge/development-view';
import { EstimateChange, estimateHistory } from '../../domain/knowledge/estimate-history';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { KnowledgeSummary } from '../../domain/knowledge/status.rules';
import { TopicCount, topicCounts } from '../../domain/knowledge/topics';
import { compiledRows } from '../../database/compiled-query';
import { ReadModelDatabase } from '../../database/read-model-database';
import { KnowledgeChange, knowledgeChanges } from './knowledge-changes.queries';
import { KNOWLEDGE_PROJECTION } from './knowledge.checkpoint';
import { currentAt, hasActiveClaimBy, inTopic, knownAt, matchesSearchTerm, occurredWithin, oneOf } from './read-model.sql';
import { SourceDetailView, SourceView, sourcesAsOf } from './sources.queries';

/**
 * Where the knowledge read model stands: the last position applied, the latest transaction time
 * among what it applied, and the generation of its checkpoint (new when it is emptied and rebuilt).
 */
export type ReadModelPoint = Readonly<{ position: bigint; recordedAtMs: number; generation: string | null }>;

/** Where a page of `/v1/knowledge` ends: the last item's sort key and id. */
export type KnowledgeCursor = Readonly<{ sortKey: number; id: string }>;

export type KnowledgePage = Readonly<{ items: DevelopmentView[]; next?: KnowledgeCursor }>;

/**
 * A page of `/v1/knowledge` with its items already JSON: UTF-8 bytes in a buffer of their own (not
 * a slice of Node's shared pool), written to a socket with no copy or encoding, kept by the page
 * cache, handed over by a read worker without a copy.
 */
export type KnowledgePageText = Readonly<{ items: Buffer; next?: KnowledgeCursor }>;

/**
 * `text` as bytes of their own. `Buffer.from` puts small values in slices of a shared 8 KiB pool,
 * and a kept slice would keep its whole block alive: 40 times what the cache counts for a tiny page.
 */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** One claim of a source's, with the development it is about (its title as known then) and its retraction if known then. */
export type SourceClaimView = ClaimView & Readonly<{ developmentId: string; developmentTitle: string; retractedAt: string | null }>;

/** Where a page of a source's claims ends: the last item's knowledge time and id. */
export type SourceClaimsCursor = Readonly<{ reportedAtMs: number; claimId: string }>;

export type SourceClaimsPage = Readonly<{ items: SourceClaimView[]; next?: SourceClaimsCursor }>;

/** Answers knowledge questions from the read model alone; never reads the log. */
export class KnowledgeQueries {
  private readonly postgres: boolean;

  constructor(private readonly db: Pick<ReadModelDatabase, 'query'>) {
    this.postgres = db.query.getExecutor().adapter instanceof PostgresAdapter;
  }

  /**
   * Where the knowledge read model stands, as stored with its rows (so also what another instance
   * sharing the database applied): see {@link ReadModelPoint}.
   */
  async readModelPoint(): Promise<ReadModelPoint> {
    // Once or twice a cached request, and its only query when the page is kept: compiled once.
    const [row] = await compiledRows(
      this.db.query,
      'knowledge read model point',
      () => this.db.query.selectFrom('projection_checkpoints').select(['position', 'recorded_at', 'generation']).where('projection', '=', KNOWLEDGE_PROJECTION),
      [KNOWLEDGE_PROJECTION],
    );
    return { position: row ? BigInt(row.position) : 0n, recordedAtMs: row?.recorded_at ? Date.parse(row.recorded_at) : 0, generation: row?.generation ?? null };
  }

  /** Stops what these queries hold of their own: nothing here (the database is shared); see `PooledKnowledgeQueries`. */
  async close(): Promise<void> {}

  /** {@link knowledgeAsOf}'s page, its items as JSON. */
  async knowledgePageText(at: TimePoint, filter: KnowledgeFilter, limit: number, cursor?: KnowledgeCursor): Promise<KnowledgePageText> {
    const page = await this.knowledgeAsOf(at, filter, limit, cursor);
    return { items: ownBytes(JSON.stringify(page.items)), next: page.next };
  }

  async knowledgeAsOf(at: TimePoint, filter: KnowledgeFilter, limit: number, cursor?: KnowledgeCursor): Promise<KnowledgePage> {
    let query = this.atPoint(at);
    if (filter.topics !== undefined) query = query.where(inTopic('description_segments', filter.topics, at));
    if (filter.sourceId !== undefined) query = query.where(hasActiveClaimBy('description_segments', filter.sourceId, at));
    if (filter.status !== undefined) query = query.where('status_segments.status', '=', filter.status);
    for (const term of filter.searchTerms ?? []) query = query.where(matchesSearchTerm(term, at, this.postgres));
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
    const sourceOf = await this.claimSources([...claims.values()].flat(), at);
    const items = page.map((row) => this.view(row, claims.get(row.development_id) ?? [], sourceOf, at.asOfMs));
    const last = page[page.length - 1];
    return {
      items,
      next: rows.length > limit && last ? { sortKey: Number(last.occurred_sort), id: last.development_id } : undefined,
    };
  }

  async developmentAsOf(id: string, at: TimePoint): Promise<DevelopmentView | undefined> {
    const row = await this.atPoint(at).where('description_segments.development_id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const claims = (await this.activeClaims([id], at)).get(id) ?? [];
    return this.view(row, claims, await this.claimSources(claims, at), at.asOfMs);
  }

  /** Whether the development was recorded by `recordedAsOfMs` (known or not at any asOf). */
  async developmentRecorded(id: string, recordedAsOfMs: number): Promise<boolean> {
    const row = await this.db.query
      .selectFrom('development_versions')
      .select('development_id')
      .where('development_id', '=', id)
      .where(currentAt('development_versions', recordedAsOfMs))
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The sources of these claims as of `at`, looked up once for a page (not per claim): each with its
   * reliability then (`sourcesAsOf`, the same rule as `/v1/sources`).
   */
  private async claimSources(claims: readonly KnownClaim[], at: TimePoint): Promise<SourceOf> {
    const ids = [...new Set(claims.map((claim) => claim.fields.sourceId))];
    const sources = new Map((await sourcesAsOf(this.db.query, at, this.postgres, ids)).map((source) => [source.id, claimSourceOf(source)]));
    return (sourceId) => sources.get(sourceId) ?? unrecordedSource(sourceId);
  }

  /**
   * Everything one source said, across developments, as known at `at`: every claim whose version
   * current at recordedAsOf names the source and was reported by asOf, retracted ones included (with
   * `retractedAt` when the retraction is known then), by knowledge time then claim id.
   * `undefined` when the source was not recorded by recordedAsOf.
   */
  async sourceClaims(sourceId: string, at: TimePoint, limit: number, cursor?: SourceClaimsCursor): Promise<SourceClaimsPage | undefined> {
    const [source] = await sourcesAsOf(this.db.query, at, this.postgres, [sourceId]);
    if (!source) return undefined;
    // Code-unit order of ids on PostgreSQL whatever the database's collation, as SQLite compares them.
    const claimId = this.postgres ? sql<string>`claim_versions.claim_id collate "C"` : sql<string>`claim_versions.claim_id`;
    let query = this.db.query
      .selectFrom('claim_versions')
      .innerJoin('description_segments', (join) =>
        join
          .onRef('description_segments.development_id', '=', 'claim_versions.development_id')
          .on(currentAt('description_segments', at.recordedAsOfMs))
          .on(knownAt('description_segments', at.asOfMs)),
      )
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
        'description_segments.fields as description',
        'claim_retractions.reported_at as retracted_at',
        'claim_retractions.reported_at_ms as retracted_at_ms',
      ])
      .where('claim_versions.source_id', '=', sourceId)
      .where(currentAt('claim_versions', at.recordedAsOfMs))
      .where('claim_versions.reported_at_ms', '<=', at.asOfMs)
      // Only of developments known then (a claim reported earlier than its development's first shows from then on).
      .where('claim_versions.development_id', 'in', this.knownDevelopments(at));
    if (cursor) {
      query = query.where((eb) =>
        eb.or([
          eb('claim_versions.reported_at_ms', '>', cursor.reportedAtMs),
          eb.and([eb('claim_versions.reported_at_ms', '=', cursor.reportedAtMs), eb(claimId, '>', cursor.claimId)]),
        ]),
      );
    }
    const rows = await query.orderBy('claim_versions.reported_at_ms').orderBy(claimId).limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const embedded = claimSourceOf(source);
    const items = page.map((row): SourceClaimView => {
      const claim = knownClaim(row.claim_id, JSON.parse(row.fields) as ClaimFields, undefined, { reportedAtMs: Number(row.reported_at_ms) });
      const retractedKnown = row.retracted_at !== null && Number(row.retracted_at_ms) <= at.asOfMs;
      return {
        ...claimView(claim, () => embedded, at.asOfMs),
        developmentId: row.development_id,
        developmentTitle: (JSON.parse(row.description) as DevelopmentFields).title,
        retractedAt: retractedKnown ? row.retracted_at : null,
      };
    });
    const last = page[page.length - 1];
    return { items, next: rows.length > limit && last ? { reportedAtMs: Number(last.reported_at_ms), claimId: last.claim_id } : undefined };
  }

  /** The developments known at `at`: those with a status segment covering it. */
  private knownDevelopments(at: TimePoint) {
    return this.db.query
      .selectFrom('status_segments')
      .select('status_segments.development_id')
      .where(currentAt('status_segments', at.recordedAsOfMs))
      .where('status_segments.known_from', '<=', at.asOfMs)
      .where('status_segments.known_to', '>', at.asOfMs);
  }

  /**
   * Topics of the developments known at `at` (those `/v1/knowledge` lists), from their descriptions
   * as known then, matched ignoring case: each key's most used spelling and its number of developments.
   */
  async topics(at: TimePoint): Promise<TopicCount[]> {
    const inKnownDevelopments = () =>
      this.db.query
        .selectFrom('development_topics')
        .where(currentAt('development_topics', at.recordedAsOfMs))
        .where(knownAt('development_topics', at.asOfMs))
        .where(
          'development_topics.development_id',
          'in',
          this.knownDevelopments(at),
        );
    const developments = sql<number | string>`count(distinct development_topics.development_id)`;
    const [spellings, keys] = await Promise.all([
      inKnownDevelopments().select(['development_topics.topic', developments.as('developments')]).groupBy('development_topics.topic').execute(),
      inKnownDevelopments().select(['development_topics.topic_key', developments.as('developments')]).groupBy('development_topics.topic_key').execute(),
    ]);
    return topicCounts(
      spellings.map((row) => ({ topic: row.topic, developments: Number(row.developments) })),
      new Map(keys.map((row) => [row.topic_key, Number(row.developments)])),
    );
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
    sourceOf: SourceOf,
    asOfMs: number,
  ): DevelopmentView {
    return developmentView(
      row.development_id,
      JSON.parse(row.fields) as DevelopmentFields,
      {
        summary: JSON.parse(row.summary) as KnowledgeSummary,
        firstReportedAt: row.first_reported_at,
        lastReportedAt: row.last_reported_at,
        active,
      },
      sourceOf,
      asOfMs,
    );
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
  changes(fromMs: number, toMs: number, recordedAsOfMs: number, topics?: readonly string[]): Promise<KnowledgeChange[]> {
    return knowledgeChanges(this.db.query, { fromMs, toMs, recordedAsOfMs, topics });
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

const claimSourceOf = ({ id, name, kind, reliability }: SourceView): ClaimSource => ({ id, name, kind, reliability });
