import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, Storage } from '../../src/bootstrap/open-storage';
import { DevelopmentCommand, developmentDecider } from '../../src/domain/development/development.decider';
import { ClaimInput } from '../../src/domain/development/claim-input';
import { LIKELIHOODS, STANCES, developmentStreamId } from '../../src/domain/development/development.events';
import { timeMs } from '../../src/domain/knowledge/development-view';
import { KnowledgeFilter } from '../../src/domain/knowledge/knowledge.query';
import { LoggedEvent, replayKnowledge } from '../../src/domain/knowledge/knowledge.replay';
import { DEVELOPMENT_STATUSES } from '../../src/domain/knowledge/status.rules';
import { parseSearchQuery } from '../../src/domain/knowledge/search-terms';
import { topicCountsOf } from '../../src/domain/knowledge/topics';
import { DomainError } from '../../src/domain/shared/domain.errors';
import { RateSource, sourceDecider } from '../../src/domain/source/source.decider';
import { RELIABILITY_GRADES, sourceStreamId } from '../../src/domain/source/source.events';
import { StoredEvent } from '../../src/event-store/event-store.port';
import { handleCommand } from '../../src/event-store/handle-command';
import { StreamStates } from '../../src/event-store/stream-states';
import { upcast } from '../../src/event-store/upcasters';
import { IdGenerator } from '../../src/platform/ids';
import { KnowledgeProjection } from '../../src/projections/knowledge/knowledge.projection';
import { KnowledgeQueries } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionRunner } from '../../src/projections/projection-runner';

const SOURCES = ['a', 'b', 'c'];
/** `a` and `b` share an origin (one affiliation): together they never corroborate. */
const AFFILIATIONS: Record<string, string | undefined> = { a: 'ab', b: 'ab', c: undefined };
/** `a` was graded at registration; the others only by ratings, if at all. */
const REGISTERED_RELIABILITY: Record<string, 'B' | undefined> = { a: 'B' };
const DEVELOPMENTS = ['d1', 'd2', 'd3', 'd4'];
/** `T1` and `t1` are one topic to every filter and count (matching ignores case); `t3` is never given. */
const TOPICS = ['t1', 't2', 'T1'];
const ASKED_TOPICS = ['t1', 'T1', 't2', 'T2', 't3'];
/**
 * Titles, summaries and quotes share a small vocabulary, in several cases and with and without
 * accents, so `q` matches across them; `never` occurs nowhere, `kur` only inside a word.
 */
const TITLES = ['x', 'y', 'z', 'Troops in KURSK', 'Ré-supply'];
const SUMMARIES = ['s1', 's2', "Pyongyang's troops"];
const QUOTES = ['troops seen in Kursk', 'ships at Rajin', 'RE supply confirmed', 's1, x'];
const ASKED_WORDS = ['kursk', 'Kursk', 'TROOPS', 're', 'Ré', 'supply', 'rajin', 'pyongyang', 's1', 'x', 'title', 'd1', 'never', 'kur'];
const DAY = 86_400_000;
const BASE = Date.UTC(2024, 9, 1);
const day = (d: number) => new Date(BASE + d * DAY).toISOString().slice(0, 10);

/**
 * Knowledge times: a handful of days (as dates and as instants inside them), so they collide often,
 * and months (known from their end: `2024-09` before the days, `2024-10` after them).
 */
const knowledgeTime = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 6 }).map(day) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 6 * 24 }).map((h) => new Date(BASE + h * 3_600_000).toISOString()) },
  { weight: 1, arbitrary: fc.constantFrom('2024-09', '2024-10') },
);

const claimIdOf = (id: string, n: number) => (n < 0 ? `${id}-first` : `${id}-c${n}`);

const quantity = fc.oneof(
  fc.record({
    measure: fc.constantFrom('deployed', 'planned'),
    unit: fc.constantFrom('troops', 'ships'),
    value: fc.integer({ min: 0, max: 20_000 }),
    qualifier: fc.constantFrom('exact', 'about', 'at-least', 'at-most' as const),
  }),
  fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 })).map(([x, y]) => ({
    measure: 'deployed',
    unit: 'troops',
    min: Math.min(x, y),
    max: Math.max(x, y),
    qualifier: 'range' as const,
  })),
  fc.record({ unit: fc.constant('troops'), value: fc.integer({ min: 0, max: 20_000 }), qualifier: fc.constant('about' as const) }),
);

/** A claim of development `id`: any stance (assessments with a likelihood), relays, repetitions of its other claims. */
const claimFields = (id: string) =>
  fc
    .record(
      {
        sourceId: fc.oneof({ arbitrary: fc.constantFrom(...SOURCES), weight: 9 }, { arbitrary: fc.constant('unregistered'), weight: 1 }),
        stance: fc.constantFrom(...STANCES),
        likelihood: fc.constantFrom(...LIKELIHOODS),
        reportedAt: knowledgeTime,
        quantity,
        via: fc.subarray(SOURCES, { minLength: 1 }),
        derivedFrom: fc.option(fc.integer({ min: -1, max: 1 }).map((n) => claimIdOf(id, n)), { freq: 3 }),
        quote: fc.constantFrom(...QUOTES),
        publication: fc.record({ title: fc.constant('An article'), publishedAt: knowledgeTime }, { requiredKeys: ['title'] }),
      },
      { requiredKeys: ['sourceId', 'stance', 'reportedAt'] },
    )
    .map(({ likelihood, derivedFrom, ...claim }) => ({
      ...claim,
      ...(derivedFrom ? { derivedFrom } : {}),
      ...(claim.stance === 'assesses' ? { likelihood: likelihood ?? 'likely' } : {}),
    })) as fc.Arbitrary<ClaimInput>;

const occurred = fc.constantFrom('2024-10-08/2024-10-13', '2024-10~', '2024-06-19?', '2024-10-XX', '../2024-10', '2024-09-30/..', '2024', '2024-10-10');

const descriptionChanges = fc.record(
  { title: fc.constantFrom(...TITLES), summary: fc.constantFrom(...SUMMARIES), topics: fc.subarray(TOPICS), occurred },
  { requiredKeys: [] },
).filter((changes) => Object.keys(changes).length > 0);

type Step = { command: DevelopmentCommand | RateSource; advanceMs: number };

/** A source rated later: its reliability shows only as of its reportedAt on. */
const rating: fc.Arbitrary<RateSource> = fc
  .record({ sourceId: fc.constantFrom(...SOURCES), reliability: fc.constantFrom(...RELIABILITY_GRADES), reportedAt: knowledgeTime })
  .map((data) => ({ type: 'RateSource', data: { ...data, reason: 'rated' } }));

const developmentCommand: fc.Arbitrary<DevelopmentCommand> = fc.constantFrom(...DEVELOPMENTS).chain((id) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.record({ claim: claimFields(id), topics: fc.subarray(TOPICS), occurred: fc.option(occurred) }).map(
        ({ claim, topics, occurred }): DevelopmentCommand => ({
          type: 'RecordDevelopment',
          data: { developmentId: id, fields: { title: `title ${id}`, topics, ...(occurred === null ? {} : { occurred }) }, claimId: `${id}-first`, claim, registeredSourceIds: SOURCES },
        }),
      ) },
      { weight: 5, arbitrary: fc.record({ claim: claimFields(id), n: fc.integer({ min: 0, max: 3 }) }).map(
        ({ claim, n }): DevelopmentCommand => ({ type: 'ReportClaim', data: { developmentId: id, claimId: claimIdOf(id, n), claim, registeredSourceIds: SOURCES } }),
      ) },
      { weight: 3, arbitrary: fc.record({ n: fc.integer({ min: -1, max: 3 }), reportedAt: knowledgeTime }).map(
        ({ n, reportedAt }): DevelopmentCommand => ({ type: 'RetractClaim', data: { developmentId: id, claimId: claimIdOf(id, n), reportedAt, reason: 'withdrawn' } }),
      ) },
      { weight: 3, arbitrary: fc.record({ changes: descriptionChanges, reportedAt: knowledgeTime, r: fc.integer({ min: 0, max: 2 }) }).map(
        ({ changes, reportedAt, r }): DevelopmentCommand => ({ type: 'ReviseDevelopment', data: { developmentId: id, revisionId: `${id}-r${r}`, changes, reportedAt, reason: 'learned' } }),
      ) },
      { weight: 2, arbitrary: fc.record({ changes: descriptionChanges, r: fc.option(fc.integer({ min: 0, max: 2 })) }).map(
        ({ changes, r }): DevelopmentCommand => ({
          type: 'CorrectDevelopment',
          data: { developmentId: id, ...(r === null ? {} : { revisionId: `${id}-r${r}` }), changes, reason: 'fix' },
        }),
      ) },
      { weight: 2, arbitrary: fc.record({ n: fc.integer({ min: -1, max: 3 }), claim: claimFields(id), keys: fc.subarray(['stance', 'likelihood', 'reportedAt', 'quantity', 'derivedFrom', 'sourceId', 'quote'] as const, { minLength: 1 }) }).map(
        ({ n, claim, keys }): DevelopmentCommand => ({
          type: 'CorrectClaim',
          data: {
            developmentId: id,
            claimId: claimIdOf(id, n),
            changes: Object.fromEntries(keys.filter((key) => claim[key] !== undefined).map((key) => [key, claim[key]])),
            reason: 'fix',
            registeredSourceIds: SOURCES,
          },
        }),
      ) },
    ),
);

const step: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.constantFrom(0, 1, 7, 1000, 3_600_000),
  command: fc.oneof({ weight: 9, arbitrary: developmentCommand }, { weight: 1, arbitrary: rating }),
});

/**
 * What a source's reliability must be as of `at`, written out from the log: the latest rating
 * reported by asOf (then the one recorded later), among those recorded by recordedAsOf; else the
 * grade given at registration, else null.
 */
function reliabilityFromLog(log: readonly StoredEvent[], sourceId: string, at: { asOfMs: number; recordedAsOfMs: number }): string | null {
  const recorded = log.filter((event) => Date.parse(event.recordedAt) <= at.recordedAsOfMs && (event.data as { sourceId?: string }).sourceId === sourceId);
  const known = recorded
    .filter((event) => event.type === 'SourceRated' && timeMs((event.data as { reportedAt: string }).reportedAt) <= at.asOfMs)
    .sort((a, b) => timeMs((a.data as { reportedAt: string }).reportedAt) - timeMs((b.data as { reportedAt: string }).reportedAt) || Number(a.position - b.position));
  const registered = recorded.find((event) => event.type === 'SourceRegistered');
  return (known.at(-1)?.data as { reliability?: string } | undefined)?.reliability ?? (registered?.data as { reliability?: string } | undefined)?.reliability ?? null;
}

const filter: fc.Arbitrary<KnowledgeFilter> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        topics: fc.subarray(ASKED_TOPICS, { minLength: 1, maxLength: 3 }),
        sourceId: fc.constantFrom(...SOURCES, 'unregistered'),
        status: fc.constantFrom(...DEVELOPMENT_STATUSES),
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        occurredFromMs: fc.constantFrom(Date.UTC(2024, 9, 1), Date.UTC(2024, 9, 10), Date.UTC(2024, 5, 1)),
        occurredToMs: fc.constantFrom(Date.UTC(2024, 9, 12) - 1, Date.UTC(2024, 10, 1) - 1, Date.UTC(2025, 0, 1) - 1),
        occurredMatch: fc.constantFrom('possibly' as const, 'certainly' as const),
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({
        // `q` as the API parses it: one word, or two or three, joined by a space or punctuation.
        searchTerms: fc
          .tuple(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ASKED_WORDS).map((word) => [word]) }, { weight: 2, arbitrary: fc.subarray(ASKED_WORDS, { minLength: 2, maxLength: 3 }) }), fc.constantFrom(' ', ', ', '-'))
          .map(([words, separator]) => parseSearchQuery(words.join(separator))!),
        also: fc.option(
          fc.oneof(
            fc.record({ topics: fc.subarray(ASKED_TOPICS, { minLength: 1, maxLength: 2 }) }),
            fc.record({ sourceId: fc.constantFrom(...SOURCES) }),
            fc.record({ status: fc.constantFrom(...DEVELOPMENT_STATUSES) }),
          ),
          { freq: 4 },
        ),
      })
      .map(({ searchTerms, also }): KnowledgeFilter => ({ searchTerms, ...also })),
  },
);

/**
 * The log as it would stand had nothing been learned after `asOfMs`: every claim, retraction,
 * revision and rating whose knowledge time is later is gone (a claim with its corrections and
 * retraction; a revision with its corrections), every development whose first claim is later,
 * with all of its events, and every publication published later (the claim as if read elsewhere).
 * A view as of `asOfMs` must not tell the two apart.
 */
function knownBy(log: readonly LoggedEvent[], asOfMs: number): LoggedEvent[] {
  const claimTime = new Map<string, string>();
  const firstClaim = new Map<string, string>();
  for (const event of log) {
    const data = event.data as { developmentId?: string; claimId?: string; reportedAt?: string; changes?: { reportedAt?: string } };
    if (event.type === 'ClaimReported') {
      claimTime.set(data.claimId!, data.reportedAt!);
      if (!firstClaim.has(data.developmentId!)) firstClaim.set(data.developmentId!, data.claimId!);
    }
    if (event.type === 'ClaimCorrected' && data.changes?.reportedAt !== undefined) claimTime.set(data.claimId!, data.changes.reportedAt);
  }
  const unknown = new Set([...firstClaim].filter(([, claimId]) => timeMs(claimTime.get(claimId)!) > asOfMs).map(([developmentId]) => developmentId));
  const laterRevisions = new Set(
    log.filter((event) => event.type === 'DevelopmentRevised' && timeMs((event.data as { reportedAt: string }).reportedAt) > asOfMs).map((event) => (event.data as { revisionId: string }).revisionId),
  );
  const unpublished = (publication: { publishedAt?: string } | undefined) => publication?.publishedAt !== undefined && timeMs(publication.publishedAt) > asOfMs;
  // (The generated corrections never change a publication.)
  const withoutLaterPublication = (event: LoggedEvent): LoggedEvent => {
    const data = event.data as { publication?: { publishedAt?: string } };
    if (event.type !== 'ClaimReported' || !unpublished(data.publication)) return event;
    const { publication: _later, ...rest } = data;
    return { ...event, data: rest } as LoggedEvent;
  };
  return log.map(withoutLaterPublication).filter((event) => {
    const data = event.data as { developmentId?: string; claimId?: string; revisionId?: string; reportedAt?: string };
    if (data.developmentId !== undefined && unknown.has(data.developmentId)) return false;
    switch (event.type) {
      case 'ClaimReported':
      case 'ClaimCorrected':
        return timeMs(claimTime.get(data.claimId!)!) <= asOfMs;
      case 'ClaimRetracted':
        return timeMs(claimTime.get(data.claimId!)!) <= asOfMs && timeMs(data.reportedAt!) <= asOfMs;
      case 'DevelopmentRevised':
      case 'DevelopmentCorrected':
        return data.revisionId === undefined || !laterRevisions.has(data.revisionId);
      case 'SourceRated':
        return timeMs(data.reportedAt!) <= asOfMs;
      default:
        return true;
    }
  });
}

async function withStore<T>(run: (storage: Storage, clock: { now: () => number; advance: (ms: number) => void }) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'timeline-prop-'));
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, clock);
  try {
    return await run(storage, clock);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The sources registered, every development recorded (a refused record is fine: later steps may
 * record it), then `steps`, each through `handleCommand` (with `states`, when given): what each
 * step came to, 'ok' or the domain error it was refused with.
 */
async function runSteps(storage: Storage, clock: { advance: (ms: number) => void }, steps: readonly Step[], states?: StreamStates): Promise<string[]> {
  const context = { correlationId: 'prop', actor: 'test', ids: new IdGenerator() };
  for (const id of SOURCES) {
    const affiliation = AFFILIATIONS[id];
    await handleCommand(
      storage.eventStore,
      sourceStreamId(id),
      sourceDecider,
      {
        type: 'RegisterSource',
        data: { sourceId: id, name: id, kind: 'media', ...(affiliation ? { affiliation } : {}), ...(REGISTERED_RELIABILITY[id] ? { reliability: REGISTERED_RELIABILITY[id] } : {}) },
      },
      context,
      states,
    );
  }
  const records = DEVELOPMENTS.map((id, i): Step => ({
    advanceMs: 1,
    command: {
      type: 'RecordDevelopment',
      data: {
        developmentId: id,
        fields: { title: `${id} ${TITLES[i + 1]}`, topics: [TOPICS[i % 2]] },
        claimId: `${id}-first`,
        claim: { sourceId: SOURCES[i % 3], stance: STANCES[i % 3], reportedAt: day(i), quote: QUOTES[i % QUOTES.length] },
        registeredSourceIds: SOURCES,
      },
    },
  }));
  const outcomes: string[] = [];
  for (const { command, advanceMs } of [...records, ...steps]) {
    clock.advance(advanceMs);
    try {
      if (command.type === 'RateSource') await handleCommand(storage.eventStore, sourceStreamId(command.data.sourceId), sourceDecider, command, context, states);
      else await handleCommand(storage.eventStore, developmentStreamId(command.data.developmentId), developmentDecider, command, context, states);
      outcomes.push('ok');
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      outcomes.push(error.message);
    }
  }
  return outcomes;
}

describe('knowledge projection vs a replay fold of the log', () => {
  it('gives the same answer for every asOf and recordedAsOf, with or without filters, and shows nothing learned after asOf', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 60, size: 'medium' }), fc.array(fc.tuple(fc.nat(), fc.nat(), filter), { minLength: 1, maxLength: 12 }), async (steps, probes) =>
        withStore(async (storage, clock) => {
          await runSteps(storage, clock, steps);
          const runner = new ProjectionRunner(storage.eventStore, storage.readModel, new KnowledgeProjection());
          await runner.start();
          expect(await runner.waitFor(await storage.eventStore.headPosition(), 10_000)).toBe(true);
          await runner.stop();

          const log = (await storage.eventStore.readAll()).map((event) => upcast(event));
          const queries = new KnowledgeQueries(storage.readModel);
          // Probe at the instants where answers change (event times, knowledge times) and just before them.
          const recordedTimes = [...new Set(log.filter((event) => event.type !== 'SourceRegistered').map((event) => Date.parse(event.recordedAt)))];
          if (recordedTimes.length === 0) return;
          const monthEnds = [BASE - 2, BASE - 1, Date.UTC(2024, 10, 1) - 2, Date.UTC(2024, 10, 1) - 1];
          const knowledgeTimes = [...[...Array(8).keys()].flatMap((d) => [BASE + d * DAY - 1, BASE + d * DAY, BASE + d * DAY + 3_600_000 * 5]), ...monthEnds];
          for (const [r, k, probeFilter] of probes) {
            const recorded = recordedTimes[r % recordedTimes.length];
            const at = { asOfMs: knowledgeTimes[k % knowledgeTimes.length], recordedAsOfMs: recorded + ((r >> 3) % 2 === 0 ? 0 : -1) };
            const expected = replayKnowledge(log, at, probeFilter);
            const page = await queries.knowledgeAsOf(at, probeFilter, 1000);
            expect(page.items).toEqual(expected);
            for (const view of expected) expect(await queries.developmentAsOf(view.id, at)).toEqual(view);
            // No hindsight: nothing learned after asOf shows in any field of any view as of asOf.
            const recordedLog = log.filter((event) => Date.parse(event.recordedAt) <= at.recordedAsOfMs);
            expect(replayKnowledge(knownBy(recordedLog, at.asOfMs), at, probeFilter)).toEqual(expected);
            // Topics known then: those of the developments the unfiltered view lists, counted ignoring case.
            expect(await queries.topics(at)).toEqual(topicCountsOf(replayKnowledge(log, at)));
            // Nor in a source's reliability.
            const sources = await queries.sources(at);
            expect(sources.map((source) => [source.id, source.reliability])).toEqual(SOURCES.map((id) => [id, reliabilityFromLog(log, id, at)]));
            // And each claim embeds its source with the reliability of then.
            for (const claim of page.items.flatMap((view) => view.claims)) {
              expect(claim.source).toEqual({ id: claim.source.id, name: claim.source.id, kind: 'media', reliability: reliabilityFromLog(log, claim.source.id, at) });
            }
          }
        }),
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('decides the same with stream states kept between commands (read and folded from where they were left) as from whole streams', async () => {
    const logOf = async (storage: Storage) =>
      (await storage.eventStore.readAll()).map(({ streamId, streamVersion, type, data }) => ({ streamId, streamVersion, type, data }));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 60, size: 'medium' }), fc.integer({ min: 1, max: 40 }), async (steps, keptEvents) => {
        const whole = await withStore(async (storage, clock) => ({ outcomes: await runSteps(storage, clock, steps), log: await logOf(storage) }));
        // Few events kept: streams are dropped and read whole again along the way.
        const states = new StreamStates(keptEvents);
        const kept = await withStore(async (storage, clock) => ({ outcomes: await runSteps(storage, clock, steps, states), log: await logOf(storage) }));
        expect(kept).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
