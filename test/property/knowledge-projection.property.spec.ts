import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, Storage } from '../../src/bootstrap/open-storage';
import { DevelopmentCommand, developmentDecider } from '../../src/domain/development/development.decider';
import { ClaimFields, STANCES, developmentStreamId } from '../../src/domain/development/development.events';
import { KnowledgeFilter } from '../../src/domain/knowledge/knowledge.query';
import { replayKnowledge } from '../../src/domain/knowledge/knowledge.replay';
import { DEVELOPMENT_STATUSES } from '../../src/domain/knowledge/status.rules';
import { DomainError } from '../../src/domain/shared/domain.errors';
import { sourceDecider } from '../../src/domain/source/source.decider';
import { sourceStreamId } from '../../src/domain/source/source.events';
import { handleCommand } from '../../src/event-store/handle-command';
import { upcast } from '../../src/event-store/upcasters';
import { IdGenerator } from '../../src/platform/ids';
import { KnowledgeProjection } from '../../src/projections/knowledge/knowledge.projection';
import { KnowledgeQueries } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionRunner } from '../../src/projections/projection-runner';

const SOURCES = ['a', 'b', 'c'];
const DEVELOPMENTS = ['d1', 'd2', 'd3', 'd4'];
const TOPICS = ['t1', 't2'];
const DAY = 86_400_000;
const BASE = Date.UTC(2024, 9, 1);

/** Knowledge times: a handful of days (as dates and as instants inside them), so they collide often. */
const knowledgeTime = fc.oneof(
  fc.integer({ min: 0, max: 6 }).map((d) => new Date(BASE + d * DAY).toISOString().slice(0, 10)),
  fc.integer({ min: 0, max: 6 * 24 }).map((h) => new Date(BASE + h * 3_600_000).toISOString()),
);

const claimFields = fc.record(
  {
    sourceId: fc.oneof({ arbitrary: fc.constantFrom(...SOURCES), weight: 9 }, { arbitrary: fc.constant('unregistered'), weight: 1 }),
    stance: fc.constantFrom(...STANCES),
    reportedAt: knowledgeTime,
    quantity: fc.record({ value: fc.integer({ min: 0, max: 20_000 }), unit: fc.constantFrom('troops', 'ships'), qualifier: fc.constantFrom('exact', 'about', 'at-least', 'at-most' as const) }),
  },
  { requiredKeys: ['sourceId', 'stance', 'reportedAt'] },
) as fc.Arbitrary<ClaimFields>;

type Step = { command: DevelopmentCommand; advanceMs: number };

const step: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.constantFrom(0, 1, 7, 1000, 3_600_000),
  command: fc.oneof(
    { weight: 2, arbitrary: fc.record({ id: fc.constantFrom(...DEVELOPMENTS), claim: claimFields, topics: fc.subarray(TOPICS), from: fc.option(fc.integer({ min: 0, max: 30 })) }).map(
      ({ id, claim, topics, from }): DevelopmentCommand => ({
        type: 'RecordDevelopment',
        data: {
          developmentId: id,
          fields: { title: `title ${id}`, topics, ...(from === null ? {} : { occurred: { from: new Date(BASE - from * DAY).toISOString().slice(0, 10) } }) },
          claimId: `${id}-first`,
          claim,
          registeredSourceIds: SOURCES,
        },
      }),
    ) },
    { weight: 5, arbitrary: fc.record({ id: fc.constantFrom(...DEVELOPMENTS), claim: claimFields, n: fc.integer({ min: 0, max: 3 }) }).map(
      ({ id, claim, n }): DevelopmentCommand => ({
        type: 'ReportClaim',
        data: { developmentId: id, claimId: `${id}-c${n}`, claim, registeredSourceIds: SOURCES },
      }),
    ) },
    { weight: 3, arbitrary: fc.record({ id: fc.constantFrom(...DEVELOPMENTS), n: fc.integer({ min: -1, max: 3 }), reportedAt: knowledgeTime }).map(
      ({ id, n, reportedAt }): DevelopmentCommand => ({
        type: 'RetractClaim',
        data: { developmentId: id, claimId: n < 0 ? `${id}-first` : `${id}-c${n}`, reportedAt, reason: 'withdrawn' },
      }),
    ) },
    { weight: 1, arbitrary: fc.record({ id: fc.constantFrom(...DEVELOPMENTS), topics: fc.subarray(TOPICS), title: fc.constantFrom('x', 'y') }).map(
      ({ id, topics, title }): DevelopmentCommand => ({
        type: 'CorrectDevelopment',
        data: { developmentId: id, changes: { topics, title }, reason: 'fix' },
      }),
    ) },
    { weight: 2, arbitrary: fc.record({ id: fc.constantFrom(...DEVELOPMENTS), n: fc.integer({ min: -1, max: 3 }), claim: claimFields }).map(
      ({ id, n, claim }): DevelopmentCommand => ({
        type: 'CorrectClaim',
        data: {
          developmentId: id,
          claimId: n < 0 ? `${id}-first` : `${id}-c${n}`,
          changes: { stance: claim.stance, reportedAt: claim.reportedAt },
          reason: 'fix',
          registeredSourceIds: SOURCES,
        },
      }),
    ) },
  ),
});

const filter: fc.Arbitrary<KnowledgeFilter> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.record({ topic: fc.constantFrom(...TOPICS), status: fc.constantFrom(...DEVELOPMENT_STATUSES) }, { requiredKeys: [] }) },
);

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

describe('knowledge projection vs a replay fold of the log', () => {
  it('gives the same answer for every asOf and recordedAsOf, with or without filters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 60, size: 'medium' }), fc.array(fc.tuple(fc.nat(), fc.nat(), filter), { minLength: 1, maxLength: 12 }), async (steps, probes) =>
        withStore(async (storage, clock) => {
          const context = { correlationId: 'prop', actor: 'test', ids: new IdGenerator() };
          for (const id of SOURCES) {
            await handleCommand(storage.eventStore, sourceStreamId(id), sourceDecider, { type: 'RegisterSource', data: { sourceId: id, name: id, kind: 'media' } }, context);
          }
          // Every development is recorded first (a refused record is fine: later steps may record it).
          const records = DEVELOPMENTS.map((id, i): Step => ({
            advanceMs: 1,
            command: { type: 'RecordDevelopment', data: { developmentId: id, fields: { title: id, topics: [TOPICS[i % 2]] }, claimId: `${id}-first`, claim: { sourceId: SOURCES[i % 3], stance: STANCES[i % 3], reportedAt: `2024-10-0${i + 1}` }, registeredSourceIds: SOURCES } },
          }));
          for (const { command, advanceMs } of [...records, ...steps]) {
            clock.advance(advanceMs);
            try {
              await handleCommand(storage.eventStore, developmentStreamId(command.data.developmentId), developmentDecider, command, context);
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
            }
          }
          const runner = new ProjectionRunner(storage.eventStore, storage.readModel, new KnowledgeProjection());
          await runner.start();
          expect(await runner.waitFor(await storage.eventStore.headPosition(), 10_000)).toBe(true);
          await runner.stop();

          const log = (await storage.eventStore.readAll()).map((event) => upcast(event));
          const queries = new KnowledgeQueries(storage.readModel);
          // Probe at the instants where answers change (event times, knowledge times) and just before them.
          const recordedTimes = [...new Set(log.filter((event) => event.type !== 'SourceRegistered').map((event) => Date.parse(event.recordedAt)))];
          if (recordedTimes.length === 0) return;
          const knowledgeTimes = [...Array(8).keys()].flatMap((d) => [BASE + d * DAY - 1, BASE + d * DAY, BASE + d * DAY + 3_600_000 * 5]);
          for (const [r, k, probeFilter] of probes) {
            const recorded = recordedTimes[r % recordedTimes.length];
            const at = { asOfMs: knowledgeTimes[k % knowledgeTimes.length], recordedAsOfMs: recorded + ((r >> 3) % 2 === 0 ? 0 : -1) };
            const expected = replayKnowledge(log, at, probeFilter);
            const page = await queries.knowledgeAsOf(at, probeFilter, 1000);
            expect(page.items).toEqual(expected);
            for (const view of expected) expect(await queries.developmentAsOf(view.id, at)).toEqual(view);
          }
        }),
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
