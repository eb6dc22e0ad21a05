import { DevelopmentEvent } from '../../domain/development/development.events';
import { orEveryTime } from '../../domain/knowledge/knowledge-reach';
import { SourceEvent } from '../../domain/source/source.events';
import { ReadModelTransaction } from '../../database/read-model-database';
import { StoredEvent } from '../../event-store/event-store.port';
import { CheckpointPoint, EventForm, Projection } from '../projection';
import { projectClaim } from './claims.projector';
import { projectDevelopment } from './developments.projector';
import { projectSource } from './sources.projector';
import { refreshDescriptionTimeline } from './description-timeline.projector';
import { developmentsNaming, refreshStatusTimeline } from './status-timeline.projector';
import { KNOWLEDGE_PROJECTION } from './knowledge.checkpoint';
import { RecordedClaimsCache } from './recorded-claims.cache';

type KnowledgeEvent = DevelopmentEvent | SourceEvent;

/** The tables the knowledge projection writes (a rebuild from position 0 starts from them empty). */
export const KNOWLEDGE_TABLES = [
  'sources',
  'source_ratings',
  'development_versions',
  'development_revisions',
  'description_segments',
  'development_topics',
  'description_terms',
  'claim_versions',
  'claim_terms',
  'claim_retractions',
  'status_segments',
] as const;

/**
 * The bitemporal knowledge read model: versions of descriptions, revisions and claims over
 * transaction time, retractions, and each development's description and status timelines over
 * knowledge time, re-derived (only where they changed) each time something about it is recorded.
 */
export class KnowledgeProjection implements Projection {
  readonly name = KNOWLEDGE_PROJECTION;
  readonly takes: EventForm = 'upcast';
  /** Each development's claims as the last batch left them, while the read model stays where it left it. */
  private readonly kept = new RecordedClaimsCache();

  async apply(trx: ReadModelTransaction, events: readonly StoredEvent[], from: CheckpointPoint): Promise<void> {
    this.kept.begin(from);
    await this.applyBatch(trx, events);
    this.kept.end({ generation: from.generation, position: events[events.length - 1].position });
  }

  rolledBack(): void {
    this.kept.rolledBack();
  }

  private async applyBatch(trx: ReadModelTransaction, events: readonly StoredEvent[]): Promise<void> {
    // A timeline is re-derived once per development and transaction time (one append, usually),
    // not once per claim: states between events recorded at the same instant are never visible to
    // any recordedAsOf. Each is re-derived before anything recorded later is applied.
    // Per development, the earliest knowledge time its claims changed at since the last derivation.
    const claimsChanged = new Map<string, number>();
    const descriptionChanged = new Set<string>();
    let at: number | undefined;
    const rederive = async () => {
      for (const developmentId of descriptionChanged) await refreshDescriptionTimeline(trx, developmentId, at!);
      for (const [developmentId, changedFromMs] of claimsChanged) await refreshStatusTimeline(trx, developmentId, at!, changedFromMs, this.kept);
      descriptionChanged.clear();
      claimsChanged.clear();
    };
    for (const stored of events) {
      const recordedAt = Date.parse(stored.recordedAt);
      if (recordedAt !== at) {
        await rederive();
        at = recordedAt;
      }
      await applyEvent(trx, stored, this.kept, {
        claims: (developmentId, fromMs) => claimsChanged.set(developmentId, Math.min(claimsChanged.get(developmentId) ?? fromMs, fromMs)),
        description: (developmentId) => descriptionChanged.add(developmentId),
      });
    }
    await rederive();
  }
}

/** Which of a development's timelines an event changed, to re-derive (the status timeline from the knowledge time the change touches). */
type Changed = Readonly<{ claims(developmentId: string, fromMs: number): void; description(developmentId: string): void }>;

/** Hands one event to the projector of its tables, noting which timeline to re-derive. */
async function applyEvent(trx: ReadModelTransaction, stored: StoredEvent, kept: RecordedClaimsCache, changed: Changed): Promise<void> {
  const event = { type: stored.type, data: stored.data } as KnowledgeEvent;
  const at = Date.parse(stored.recordedAt);
  const position = Number(stored.position);
  switch (event.type) {
    case 'SourceRegistered':
      await projectSource(trx, event, position, at);
      for (const developmentId of await developmentsNaming(trx, event.data.sourceId)) changed.claims(developmentId, Number.NEGATIVE_INFINITY);
      return;
    case 'SourceRated':
      return projectSource(trx, event, position, at);
    case 'DevelopmentRecorded':
    case 'DevelopmentRevised':
    case 'DevelopmentCorrected':
      await projectDevelopment(trx, event, position, at);
      changed.description(event.data.developmentId);
      return;
    case 'ClaimReported':
    case 'ClaimCorrected':
    case 'ClaimRetracted':
      // A time that does not parse (never decided so) re-derives the whole timeline.
      changed.claims(event.data.developmentId, orEveryTime(await projectClaim(trx, event, position, at, kept)));
      return;
    default:
      // Types this projection does not know (added later) are not its business.
      return;
  }
}
