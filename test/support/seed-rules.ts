import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { developmentDecider, DevelopmentCommand, DevelopmentState } from '../../src/domain/development/development.decider';
import { DevelopmentEvent, DevelopmentFields } from '../../src/domain/development/development.events';
import { LoggedEvent } from '../../src/domain/knowledge/knowledge.replay';
import { parseReportedTime } from '../../src/domain/shared/time';
import { SeedDataset } from '../../src/seed/article-seeder';

/**
 * The seed article's text, as kept in the repository (`src/seed/data/article.txt`, a copy of
 * `../shared/seeds/`, so a clean checkout holds everything its tests read).
 */
export function seedArticleText(): string {
  return readFileSync(join(__dirname, '..', '..', 'src', 'seed', 'data', 'article.txt'), 'utf8');
}

/** Quotes compare with typographic quotes made plain and every run of whitespace one space. */
export const normalisedText = (text: string): string =>
  text.replace(/[‘’‛′]/g, "'").replace(/[“”„″]/g, '"').replace(/\s+/g, ' ').trim();

/** Knowledge-time ms a `reportedAt` counts from (a month: its last millisecond). */
export function knownFromMs(reportedAt: string): number {
  const time = parseReportedTime(reportedAt);
  if (!time) throw new Error(`not a knowledge time: ${reportedAt}`);
  return time.ms;
}

/** The end of a UTC day, as `asOf=YYYY-MM-DD` means it. */
export const endOfDayMs = (day: string): number => Date.parse(`${day}T23:59:59.999Z`);

/** Every day from `first` to `last`, inclusive, as `YYYY-MM-DD`. */
export function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms <= Date.parse(`${last}T00:00:00Z`); ms += 86_400_000) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

/** The words of a description: lower-case letter-or-digit runs of the fields a view shows. */
export function descriptionWords(fields: Partial<DevelopmentFields> | Readonly<Record<string, unknown>>): Set<string> {
  const f = fields as Record<string, unknown>;
  const occurred = f.occurred as { label?: string | null } | string | null | undefined;
  const label = typeof occurred === 'object' && occurred !== null ? (occurred.label ?? '') : '';
  const text = [f.title, f.summary, label, f.location, ...((f.actors as string[] | undefined) ?? []), ...((f.topics as string[] | undefined) ?? [])]
    .filter((part): part is string => typeof part === 'string')
    .join(' ')
    .toLowerCase();
  return new Set(text.match(/[\p{L}\p{N}]+/gu) ?? []);
}

type SeedDevelopment = SeedDataset['developments'][number];

/**
 * A development's description versions in knowledge order: the first (known with its first claim),
 * then each revision applied on top, each with the time it became known.
 */
export function descriptionVersions(development: SeedDevelopment): { knownFromMs: number; fields: Record<string, unknown> }[] {
  const { id: _id, claims, revisions = [], ...base } = development;
  const versions = [{ knownFromMs: knownFromMs(claims[0].reportedAt), fields: { ...base } as Record<string, unknown> }];
  const ordered = revisions.map((revision, order) => ({ revision, order, ms: knownFromMs(revision.reportedAt) }));
  ordered.sort((a, b) => a.ms - b.ms || a.order - b.order);
  for (const { revision, ms } of ordered) {
    versions.push({ knownFromMs: ms, fields: { ...versions[versions.length - 1].fields, ...revision.changes } });
  }
  return versions;
}

/**
 * For each word of a development's descriptions, when it was first given: a word that first
 * appears in a later version, and in no earlier one, is known only from that version on.
 */
export function wordsFirstGiven(development: SeedDevelopment): Map<string, number> {
  const first = new Map<string, number>();
  for (const version of descriptionVersions(development)) {
    for (const word of descriptionWords(version.fields)) if (!first.has(word)) first.set(word, version.knownFromMs);
  }
  return first;
}

/** The words of a view as of `asOfMs` that were first given after it: hindsight, should be none. */
export function hindsightWords(development: SeedDevelopment, view: Readonly<Record<string, unknown>>, asOfMs: number): string[] {
  const firstGiven = wordsFirstGiven(development);
  return [...descriptionWords(view)].filter((word) => (firstGiven.get(word) ?? Number.POSITIVE_INFINITY) > asOfMs);
}

/**
 * The seed as the seeder writes it, decided by the development decider (the domain's checks apply)
 * and stamped as recorded at `recordedAt`: the log the replay fold reads.
 */
export function seedLog(data: SeedDataset, recordedAt = '2025-01-01T00:00:00.000Z'): LoggedEvent[] {
  const log: LoggedEvent[] = [];
  for (const { id, ...profile } of data.sources) log.push({ type: 'SourceRegistered', data: { sourceId: id, ...profile }, recordedAt });
  const registeredSourceIds = data.sources.map((source) => source.id);
  for (const { id: developmentId, claims, revisions = [], ...fields } of data.developments) {
    let state: DevelopmentState = developmentDecider.initialState();
    const run = (command: DevelopmentCommand) => {
      for (const event of developmentDecider.decide(command, state)) {
        state = developmentDecider.evolve(state, event as DevelopmentEvent);
        log.push({ type: event.type, data: event.data, recordedAt });
      }
    };
    const [{ id: firstId, ...first }, ...rest] = claims;
    run({ type: 'RecordDevelopment', data: { developmentId, fields, claimId: firstId, claim: first, registeredSourceIds } });
    for (const { id: claimId, ...claim } of rest) run({ type: 'ReportClaim', data: { developmentId, claimId, claim, registeredSourceIds } });
    for (const { id: revisionId, ...revision } of revisions) run({ type: 'ReviseDevelopment', data: { developmentId, revisionId, ...revision } });
  }
  return log;
}
