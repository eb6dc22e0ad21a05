import { DevelopmentEvent } from '../../domain/development/development.events';
import { SourceEvent } from '../../domain/source/source.events';
import { ReadModelTransaction } from '../../database/read-model-database';
import { StoredEvent } from '../../event-store/event-store.port';
import { EventForm, Projection } from '../projection';
import { projectClaim } from './claims.projector';
import { projectDevelopment } from './developments.projector';
import { projectSource } from './sources.projector';
import { refreshStatusTimeline } from './status-timeline.projector';

type KnowledgeEvent = DevelopmentEvent | SourceEvent;

/**
 * The bitemporal knowledge read model: versions of developments and claims over transaction time,
 * retractions, and each development's status timeline over knowledge time, re-derived (only where
 * it changed) each time something about the development is recorded.
 */
export class KnowledgeProjection implements Projection {
  readonly name = 'knowledge';
  readonly takes: EventForm = 'upcast';

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

/** Hands one event to the projector of its tables; `claimsChanged` names a timeline to re-derive. */
async function applyEvent(trx: ReadModelTransaction, stored: StoredEvent, claimsChanged: (developmentId: string) => void): Promise<void> {
  const event = { type: stored.type, data: stored.data } as KnowledgeEvent;
  const at = Date.parse(stored.recordedAt);
  const position = Number(stored.position);
  switch (event.type) {
    case 'SourceRegistered':
    case 'SourceRated':
      return projectSource(trx, event, position, at);
    case 'DevelopmentRecorded':
    case 'DevelopmentCorrected':
      return projectDevelopment(trx, event, position, at);
    case 'ClaimReported':
    case 'ClaimCorrected':
    case 'ClaimRetracted':
      await projectClaim(trx, event, position, at);
      claimsChanged(event.data.developmentId);
      return;
    default:
      // Types this projection does not know (added later) are not its business.
      return;
  }
}
