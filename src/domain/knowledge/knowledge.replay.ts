import { developmentDecider, DevelopmentState } from '../development/development.decider';
import { DevelopmentEvent } from '../development/development.events';
import { DevelopmentView, developmentView, knownClaim, knowledgeAt, reportedRange, summaryOf } from './development-view';
import { KnowledgeFilter, TimePoint, occurredMatches, occurredRange } from './knowledge.query';

/** An event of the log as the replay needs it (already upcasted to the current schema). */
export type LoggedEvent = Readonly<{ type: string; data: unknown; recordedAt: string }>;

const DEVELOPMENT_EVENT_TYPES = new Set<string>([
  'DevelopmentRecorded',
  'ClaimReported',
  'ClaimRetracted',
  'DevelopmentCorrected',
  'ClaimCorrected',
]);

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
  for (const event of events) {
    if (!DEVELOPMENT_EVENT_TYPES.has(event.type) || Date.parse(event.recordedAt) > at.recordedAsOfMs) continue;
    const domainEvent = { type: event.type, data: event.data } as DevelopmentEvent;
    const id = domainEvent.data.developmentId;
    developments.set(id, developmentDecider.evolve(developments.get(id) ?? developmentDecider.initialState(), domainEvent));
  }

  const views: { sortKey: number; view: DevelopmentView }[] = [];
  for (const state of developments.values()) {
    if (!state.recorded) continue;
    if (filter.topic !== undefined && !(state.fields.topics ?? []).includes(filter.topic)) continue;
    const range = occurredRange(state.fields.occurred);
    if (!occurredMatches(range, filter)) continue;
    const claims = [...state.claims].map(([claimId, claim]) => knownClaim(claimId, claim.fields, claim.retractedAt));
    const knowledge = knowledgeAt(claims, at.asOfMs);
    if (knowledge.known.length === 0) continue;
    const summary = summaryOf(knowledge);
    if (filter.status !== undefined && summary.status !== filter.status) continue;
    const view = developmentView(state.developmentId, state.fields, {
      summary,
      ...reportedRange(knowledge.known),
      active: knowledge.active,
    });
    views.push({ sortKey: range.sortKey, view });
  }
  return views
    .sort((a, b) => a.sortKey - b.sortKey || (a.view.id < b.view.id ? -1 : a.view.id > b.view.id ? 1 : 0))
    .map(({ view }) => view);
}
