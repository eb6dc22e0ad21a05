import { developmentDecider, DevelopmentState } from '../development/development.decider';
import { DEVELOPMENT_EVENT_TYPES, DevelopmentEvent } from '../development/development.events';
import { descriptionAt, developmentView, DevelopmentView, isKnownAt, knownClaim, knowledgeAt, reportedRange, summaryOf, timeMs } from './development-view';
import { SourceRegistered, originOfSource } from '../source/source.events';
import { KnowledgeFilter, TimePoint, occurredMatches, occurredRange } from './knowledge.query';

/** An event of the log as the replay needs it (already upcasted to the current schema). */
export type LoggedEvent = Readonly<{ type: string; data: unknown; recordedAt: string }>;

/**
 * The knowledge view computed straight from the log, with no read model: the reference the
 * projection is checked against, and the auditor's replay.
 */
export function replayKnowledge(
  events: Iterable<LoggedEvent>,
  at: TimePoint,
  filter: KnowledgeFilter = {},
): DevelopmentView[] {
  const developments = new Map<string, DevelopmentState>();
  const affiliations = new Map<string, string>();
  for (const event of events) {
    if (Date.parse(event.recordedAt) > at.recordedAsOfMs) continue;
    if (event.type === 'SourceRegistered') {
      const { sourceId, affiliation } = event.data as SourceRegistered['data'];
      affiliations.set(sourceId, originOfSource({ id: sourceId, affiliation }));
      continue;
    }
    if (!DEVELOPMENT_EVENT_TYPES.has(event.type)) continue;
    const domainEvent = { type: event.type, data: event.data } as DevelopmentEvent;
    const id = domainEvent.data.developmentId;
    developments.set(id, developmentDecider.evolve(developments.get(id) ?? developmentDecider.initialState(), domainEvent));
  }
  const affiliationOf = (sourceId: string) => affiliations.get(sourceId) ?? sourceId;

  const views: { sortKey: number; view: DevelopmentView }[] = [];
  for (const state of developments.values()) {
    if (!state.recorded) continue;
    const claims = [...state.claims].map(([claimId, claim]) => knownClaim(claimId, claim.fields, claim.retractedAt));
    if (!isKnownAt(claims.find((claim) => claim.claimId === state.firstClaimId), at.asOfMs)) continue;
    const knowledge = knowledgeAt(claims, at.asOfMs);
    const revisions = [...state.revisions].map(([revisionId, revision]) => ({ revisionId, ...revision, reportedAtMs: timeMs(revision.reportedAt) }));
    const fields = descriptionAt(state.fields, revisions, at.asOfMs);
    if (filter.topic !== undefined && !(fields.topics ?? []).includes(filter.topic)) continue;
    const range = occurredRange(fields.occurred);
    if (!occurredMatches(range, filter, filter.occurredMatch)) continue;
    const summary = summaryOf(knowledge, affiliationOf);
    if (filter.status !== undefined && summary.status !== filter.status) continue;
    const view = developmentView(state.developmentId, fields, { summary, ...reportedRange(knowledge.known), active: knowledge.active });
    views.push({ sortKey: range.sortKey, view });
  }
  return views
    .sort((a, b) => a.sortKey - b.sortKey || (a.view.id < b.view.id ? -1 : a.view.id > b.view.id ? 1 : 0))
    .map(({ view }) => view);
}
