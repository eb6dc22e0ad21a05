import type { EventMetadata, NewEvent } from '../src/event-store/event-store.port';
import { upcasters } from '../src/event-store/upcasters';
import { Prng } from './prng';

/** One append the loader makes: a stream and the events it gets in one transaction. */
export type PlannedAppend = Readonly<{ streamId: string; events: NewEvent[] }>;

export type DatasetPlan = Readonly<{
  /** Developments to generate; each has 5 to 15 claims (10 on average). */
  developments: number;
  /** About this many developments carry each topic (as their first topic). */
  developmentsPerTopic: number;
  sources: number;
  seed: number;
}>;

export type DatasetStats = {
  developments: number;
  topics: number;
  claims: number;
  retractions: number;
  claimCorrections: number;
  developmentCorrections: number;
  revisions: number;
  ratings: number;
  events: number;
  appends: number;
};

const DAY_MS = 86_400_000;
const YEAR_START = Date.UTC(2024, 0, 1);
const CATEGORIES = ['military', 'diplomatic', 'economic', 'humanitarian', 'intelligence'];
const LOCATIONS = ['Vladivostok', 'Kursk', 'Pyongyang', 'Moscow', 'Seoul', 'Rason', 'New York'];
const ACTORS = ['DPRK', 'Russia', 'Ukraine', 'ROK', 'USA', 'UN', 'China', 'NATO'];
const UNITS = ['troops', 'ships', 'missiles', 'shells'];
const MEASURES = ['deployed', 'planned', 'killed', 'shipped'];
const LIKELIHOODS = ['unlikely', 'roughly-even-chance', 'likely', 'very-likely', 'almost-certain'];
const QUALIFIERS = ['exact', 'about', 'at-least', 'at-most'] as const;
const KINDS = ['government', 'intelligence', 'military', 'official', 'media', 'ngo', 'anonymous', 'other'] as const;
const GRADES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

export const topicName = (index: number): string => `topic-${String(index).padStart(5, '0')}`;
export const developmentName = (index: number): string => `dev-${String(index).padStart(7, '0')}`;
export const sourceName = (index: number): string => `source-${String(index).padStart(3, '0')}`;

export function topicCount(plan: DatasetPlan): number {
  return Math.max(1, Math.round(plan.developments / plan.developmentsPerTopic));
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const instant = (ms: number): string => new Date(ms).toISOString();

type GeneratedClaim = { claimId: string; reportedMs: number; reportedAt: string; retracted: boolean; hasQuantity: boolean };

/**
 * Generates the data set deterministically. Phase 1: one append per development with its
 * `DevelopmentRecorded`, its claims and some retractions. Phase 2 (recorded later, so transaction
 * time matters): late retractions, claim corrections and development corrections, one append per
 * development touched.
 */
export class DatasetGenerator {
  readonly stats: DatasetStats;
  private readonly prng: Prng;
  private readonly phase2: PlannedAppend[] = [];
  private readonly topics: number;

  constructor(private readonly plan: DatasetPlan) {
    this.prng = new Prng(plan.seed);
    this.topics = topicCount(plan);
    this.stats = {
      developments: 0,
      topics: this.topics,
      claims: 0,
      retractions: 0,
      claimCorrections: 0,
      developmentCorrections: 0,
      revisions: 0,
      ratings: 0,
      events: 0,
      appends: 0,
    };
  }

  private metadata(): EventMetadata {
    const id = this.prng.uuid();
    return { schemaVersion: 1, correlationId: id, causationId: id, actor: 'bench' };
  }

  /** Each event in today's shape, at the schema version its type is written at today. */
  private event(type: string, data: object, metadata: EventMetadata): NewEvent {
    this.stats.events += 1;
    return { eventId: this.prng.uuid(), type, data, metadata: { ...metadata, schemaVersion: upcasters.currentVersion(type) } };
  }

  *sourceAppends(): Generator<PlannedAppend> {
    for (let i = 0; i < this.plan.sources; i++) {
      const p = this.prng;
      const sourceId = sourceName(i);
      const data: Record<string, unknown> = { sourceId, name: `Source ${i}`, kind: p.pick(KINDS) };
      if (p.chance(0.7)) data.country = p.pick(['KR', 'US', 'UA', 'RU', 'KP', 'GB']);
      if (p.chance(0.8)) data.reliability = p.pick(GRADES);
      // About a third of the sources share an origin with others (a government's services).
      if (p.chance(0.3)) data.affiliation = `group-${p.int(0, 4)}`;
      const events = [this.event('SourceRegistered', data, this.metadata())];
      if (p.chance(0.5)) {
        this.stats.ratings += 1;
        events.push(this.event('SourceRated', { sourceId, reliability: p.pick(GRADES), reportedAt: day(YEAR_START + p.int(0, 360) * DAY_MS), reason: 'rated again' }, this.metadata()));
      }
      this.stats.appends += 1;
      yield { streamId: `source-${sourceId}`, events };
    }
  }

  *developmentAppends(): Generator<PlannedAppend> {
    for (let i = 0; i < this.plan.developments; i++) yield this.development(i);
  }

  /** Phase 2; complete only after {@link developmentAppends} has been consumed. */
  correctionAppends(): readonly PlannedAppend[] {
    return this.phase2;
  }

  private development(index: number): PlannedAppend {
    const p = this.prng;
    const developmentId = developmentName(index);
    const metadata = this.metadata();
    const topics = [topicName(index % this.topics)];
    if (p.chance(0.05) && this.topics > 1) topics.push(topicName(p.int(0, this.topics - 1)));
    const baseMs = YEAR_START + p.int(0, 330) * DAY_MS;
    const fields: Record<string, unknown> = { title: `Development ${index}` };
    if (p.chance(0.8)) fields.summary = `Summary of development ${index}, as reported.`;
    if (p.chance(0.9)) fields.category = p.pick(CATEGORIES);
    const occurredRoll = p.next();
    if (occurredRoll < 0.5) fields.occurred = { edtf: `${day(baseMs - p.int(1, 20) * DAY_MS)}/${day(baseMs)}` };
    else if (occurredRoll < 0.6) fields.occurred = { edtf: `${day(baseMs).slice(0, 7)}~`, label: 'around that month' };
    else if (occurredRoll < 0.8) fields.occurred = { edtf: `${day(baseMs - p.int(0, 5) * DAY_MS)}/..`, label: 'early-to-mid period' };
    else if (occurredRoll < 0.9) fields.occurred = { label: 'unknown date' };
    if (p.chance(0.7)) fields.location = p.pick(LOCATIONS);
    fields.actors = [p.pick(ACTORS), p.pick(ACTORS)].filter((actor, i, all) => all.indexOf(actor) === i);
    fields.topics = [...new Set(topics)];

    const events: NewEvent[] = [this.event('DevelopmentRecorded', { developmentId, ...fields }, metadata)];
    const late: NewEvent[] = [];
    const lateMetadata = this.metadata();
    const claims: GeneratedClaim[] = [];
    const claimCount = p.int(5, 15);
    for (let c = 0; c < claimCount; c++) {
      const claimId = p.uuid();
      // The first claim is reported first (a development becomes known with it); the others later.
      const reportedMs = c === 0 ? baseMs : baseMs + p.int(0, 90) * DAY_MS + (p.chance(0.3) ? p.int(0, 86_399) * 1000 : 0);
      const reportedAt = reportedMs % DAY_MS === 0 ? day(reportedMs) : instant(reportedMs);
      const stanceRoll = p.next();
      const stance = stanceRoll < 0.6 ? 'asserts' : stanceRoll < 0.75 ? 'denies' : stanceRoll < 0.85 ? 'confirms' : stanceRoll < 0.95 ? 'assesses' : 'no-evidence';
      const data: Record<string, unknown> = { developmentId, claimId, sourceId: sourceName(p.int(0, this.plan.sources - 1)), stance, reportedAt };
      if (stance === 'assesses') data.likelihood = p.pick(LIKELIHOODS);
      const hasQuantity = p.chance(0.4);
      if (hasQuantity) {
        const [measure, unit] = [p.pick(MEASURES), p.pick(UNITS)];
        const low = p.int(1, 20) * 500;
        data.quantity = p.chance(0.1) ? { measure, unit, min: low, max: low + p.int(1, 10) * 500, qualifier: 'range' } : { measure, unit, value: low, qualifier: p.pick(QUALIFIERS) };
      }
      if (p.chance(0.1)) data.via = [sourceName(p.int(0, this.plan.sources - 1))];
      // A repetition of the first claim, reported first: it counts as that claim's origin.
      if (c > 0 && p.chance(0.05)) data.derivedFrom = claims[0].claimId;
      if (p.chance(0.6)) data.quote = `Quote ${c} about development ${index}.`;
      if (p.chance(0.5)) data.publication = { title: `Report ${index}-${c}`, url: `https://example.org/${index}/${c}`, publishedAt: day(reportedMs) };
      if (p.chance(0.7)) data.credibility = p.int(1, 6);
      events.push(this.event('ClaimReported', data, metadata));
      claims.push({ claimId, reportedMs, reportedAt, retracted: false, hasQuantity });
      this.stats.claims += 1;
    }
    for (const claim of claims) {
      if (!p.chance(0.05)) continue;
      claim.retracted = true;
      this.stats.retractions += 1;
      const retractedMs = claim.reportedMs + p.int(0, 30) * DAY_MS;
      const data = { developmentId, claimId: claim.claimId, reportedAt: day(retractedMs) < claim.reportedAt ? claim.reportedAt : day(retractedMs), reason: 'withdrawn by the source' };
      if (p.chance(0.5)) events.push(this.event('ClaimRetracted', data, metadata));
      else late.push(this.event('ClaimRetracted', data, lateMetadata));
    }
    for (const claim of claims) {
      if (!p.chance(0.03)) continue;
      this.stats.claimCorrections += 1;
      const roll = p.next();
      let changes: Record<string, unknown>;
      if (roll < 0.4 && claim.hasQuantity) changes = { quantity: { measure: p.pick(MEASURES), value: p.int(1, 20) * 500, unit: p.pick(UNITS), qualifier: 'about' } };
      else if (roll < 0.7) changes = { stance: p.pick(['asserts', 'denies', 'confirms']) };
      else if (roll < 0.85) changes = { sourceId: sourceName(p.int(0, this.plan.sources - 1)) };
      // Earlier, never later: a retracted claim stays reported before its retraction.
      // and never before the claim the development was recorded with (the decider refuses that).
      else changes = { reportedAt: day(Math.max(claim.reportedMs - p.int(1, 10) * DAY_MS, claim === claims[0] ? 0 : baseMs)) };
      late.push(this.event('ClaimCorrected', { developmentId, claimId: claim.claimId, changes, reason: 'recorded wrongly' }, lateMetadata));
    }
    if (p.chance(0.05)) {
      this.stats.developmentCorrections += 1;
      const roll = p.next();
      let changes: Record<string, unknown>;
      if (roll < 0.4) changes = { title: `Development ${index} (corrected)` };
      else if (roll < 0.7) changes = { occurred: { edtf: `${day(baseMs - p.int(1, 40) * DAY_MS)}/${day(baseMs)}` } };
      else changes = { topics: [...new Set([...(fields.topics as string[]), topicName(p.int(0, this.topics - 1))])] };
      late.push(this.event('DevelopmentCorrected', { developmentId, changes, reason: 'recorded wrongly' }, lateMetadata));
    }
    // Detail learned later: a revision, known from some time after the first claim.
    if (p.chance(0.1)) {
      this.stats.revisions += 1;
      const roll = p.next();
      const changes =
        roll < 0.5
          ? { title: `Development ${index}, as later reported`, summary: `Summary of development ${index}, with later detail.` }
          : roll < 0.8
            ? { topics: [...new Set([...(fields.topics as string[]), topicName(p.int(0, this.topics - 1))])] }
            : { occurred: { edtf: `${day(baseMs - p.int(1, 10) * DAY_MS)}/${day(baseMs)}` } };
      const data = { developmentId, revisionId: p.uuid(), changes, reportedAt: day(baseMs + p.int(1, 60) * DAY_MS), reason: 'learned later' };
      late.push(this.event('DevelopmentRevised', data, lateMetadata));
    }
    this.stats.developments += 1;
    this.stats.appends += 1;
    const streamId = `development-${developmentId}`;
    if (late.length > 0) {
      this.stats.appends += 1;
      this.phase2.push({ streamId, events: late });
    }
    return { streamId, events };
  }
}
