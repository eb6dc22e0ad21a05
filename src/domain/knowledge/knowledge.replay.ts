import { developmentDecider, DevelopmentState } from '../development/development.decider';
import { DEVELOPMENT_EVENT_TYPES, DevelopmentEvent } from '../development/development.events';
import { ClaimSource, descriptionAt, developmentView, DevelopmentView, isKnownAt, knownClaim, knowledgeAt, reportedRange, summaryOf, timeMs, unrecordedSource } from './development-view';
import { RecordedRating, reliabilityAsOf } from '../source/reliability.rules';
import { SourceRated, SourceRegistered, originOfSource } from '../source/source.events';
import { KnowledgeFilter, TimePoint, occurredMatches, occurredRange } from './knowledge.query';
import { inAnyTopic } from './topics';
import { matchesSearch } from './search-terms';

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
  const registered = new Map<string, SourceRegistered['data']>();
  const ratings = new Map<string, RecordedRating[]>();
  // A rating's place in the log breaks ties of knowledge time (the read model uses its position).
  let order = 0;
  for (const event of events) {
    order += 1;
    const recordedAtMs = Date.parse(event.recordedAt);
    if (recordedAtMs > at.recordedAsOfMs) continue;
    if (event.type === 'SourceRegistered') {
      const data = event.data as SourceRegistered['data'];
      if (!registered.has(data.sourceId)) registered.set(data.sourceId, data);
      continue;
    }
    if (event.type === 'SourceRated') {
      const { sourceId, reliability, reportedAt, reason } = event.data as SourceRated['data'];
      const rating = { reliability, reportedAt, reportedAtMs: timeMs(reportedAt), reason, recordedAtMs, position: order };
      const known = ratings.get(sourceId);
      if (known) known.push(rating);
      else ratings.set(sourceId, [rating]);
      continue;
    }
    if (!DEVELOPMENT_EVENT_TYPES.has(event.type)) continue;
    const domainEvent = { type: event.type, data: event.data } as DevelopmentEvent;
    const id = domainEvent.data.developmentId;
    developments.set(id, developmentDecider.evolve(developments.get(id) ?? developmentDecider.initialState(), domainEvent));
  }
  const affiliationOf = (sourceId: string) => {
    const source = registered.get(sourceId);
    return source ? originOfSource({ id: sourceId, affiliation: source.affiliation }) : sourceId;
  };
  const sources = new Map<string, ClaimSource>();
  const sourceOf = (sourceId: string): ClaimSource => {
    const source = registered.get(sourceId);
    if (!source) return unrecordedSource(sourceId);
    const known = sources.get(sourceId) ?? {
      id: sourceId,
      name: source.name,
      kind: source.kind,
      reliability: reliabilityAsOf(source.reliability, ratings.get(sourceId) ?? [], at),
    };
    sources.set(sourceId, known);
    return known;
  };

  const views: { sortKey: number; view: DevelopmentView }[] = [];
  for (const state of developments.values()) {
    if (!state.recorded) continue;
    const claims = [...state.claims].map(([claimId, claim]) => knownClaim(claimId, claim.fields, claim.retractedAt));
    if (!isKnownAt(claims.find((claim) => claim.claimId === state.firstClaimId), at.asOfMs)) continue;
    const knowledge = knowledgeAt(claims, at.asOfMs);
    const revisions = [...state.revisions].map(([revisionId, revision]) => ({ revisionId, ...revision, reportedAtMs: timeMs(revision.reportedAt) }));
    const fields = descriptionAt(state.fields, revisions, at.asOfMs);
    if (filter.topics !== undefined && !inAnyTopic(fields.topics, filter.topics)) continue;
    if (filter.sourceId !== undefined && !knowledge.active.some((claim) => claim.fields.sourceId === filter.sourceId)) continue;
    if (
      filter.searchTerms !== undefined &&
      !matchesSearch(filter.searchTerms, [fields.title, fields.summary, ...knowledge.active.map((claim) => claim.fields.quote)])
    ) {
      continue;
    }
    const range = occurredRange(fields.occurred);
    if (!occurredMatches(range, filter, filter.occurredMatch)) continue;
    const summary = summaryOf(knowledge, affiliationOf);
    if (filter.status !== undefined && summary.status !== filter.status) continue;
    const view = developmentView(state.developmentId, fields, { summary, ...reportedRange(knowledge.known), active: knowledge.active }, sourceOf, at.asOfMs);
    views.push({ sortKey: range.sortKey, view });
  }
  return views
    .sort((a, b) => a.sortKey - b.sortKey || (a.view.id < b.view.id ? -1 : a.view.id > b.view.id ? 1 : 0))
    .map(({ view }) => view);
}
