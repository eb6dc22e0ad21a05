import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeAsOfHandler, KnowledgeAsOfQuery } from '../../src/application/queries/knowledge-as-of.handler';
import { KnowledgePagesCache } from '../../src/application/queries/knowledge-pages.cache';
import { openStorage } from '../../src/bootstrap/open-storage';
import { developmentStreamId } from '../../src/domain/development/development.events';
import { KnowledgeFilter } from '../../src/domain/knowledge/knowledge.query';
import { sourceStreamId } from '../../src/domain/source/source.events';
import { NewEvent } from '../../src/event-store/event-store.port';
import { KnowledgeProjection } from '../../src/projections/knowledge/knowledge.projection';
import { KnowledgeQueries } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../../src/projections/projection-gate';
import { ProjectionRunner } from '../../src/projections/projection-runner';

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 9, 1);
const day = (d: number) => new Date(BASE + d * DAY).toISOString().slice(0, 10);
const DEVELOPMENTS = ['d1', 'd2'];
const FIRST_SOURCES = ['a', 'b'];

/** One write, appended straight to the log (every kind of knowledge event; the API would refuse none of these). */
type Write =
  | { kind: 'claim'; development: number; source: number; stance: 'asserts' | 'denies' | 'confirms'; day: number }
  | { kind: 'retract' | 'correct'; claim: number; day: number }
  | { kind: 'revise'; development: number; day: number; title: string }
  | { kind: 'rate'; source: number; day: number; reliability: 'A' | 'E' }
  | { kind: 'register' };

const write: fc.Arbitrary<Write> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('claim' as const), development: fc.nat(1), source: fc.nat(3), stance: fc.constantFrom('asserts' as const, 'denies' as const, 'confirms' as const), day: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('retract' as const, 'correct' as const), claim: fc.nat(), day: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revise' as const), development: fc.nat(1), day: fc.nat(9), title: fc.constantFrom('x', 'y', 'z') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rate' as const), source: fc.nat(3), day: fc.nat(9), reliability: fc.constantFrom('A' as const, 'E' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('register' as const) }) },
);

/** What to ask after a write besides every day as recorded now: an asOf day as recorded at an earlier write. */
const ask = fc.record({ day: fc.nat(10), earlier: fc.nat() });
/** Each request is asked with each of these filters and limits. */
const FILTERS: [KnowledgeFilter, number][] = [
  [{}, 50],
  [{ topics: ['T'] }, 1],
  [{ status: 'reported' }, 50],
  [{ sourceId: 'c' }, 50],
  [{ searchTerms: ['x'] }, 50],
];
/** Asked after every write, as recorded now: pages kept across writes are asked again. */
const EVERY_DAY = [0, 2, 3, 5, 8, 10];

/**
 * `/v1/knowledge` pages kept across writes (those as of a time before what a write reaches) are
 * always what the read model answers at that moment, whatever the writes: claims, retractions and
 * corrections at any time, revisions, ratings, sources registered.
 */
describe('knowledge page cache across writes', () => {
  it('answers every request as a read of the read model would, after every write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(write, fc.array(ask, { maxLength: 2 })), { minLength: 1, maxLength: 25 }), async (steps) => {
        const dir = mkdtempSync(join(tmpdir(), 'timeline-cache-prop-'));
        let now = Date.UTC(2026, 0, 1);
        const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, { now: () => (now += 1000) });
        const runner = new ProjectionRunner(storage.eventStore, storage.readModel, new KnowledgeProjection());
        try {
          await runner.start();
          const queries = new KnowledgeQueries(storage.readModel);
          const handler = new KnowledgeAsOfHandler(queries, {} as ProjectionGate, new KnowledgePagesCache(1 << 24), storage.eventStore);
          let eventNumber = 0;
          const event = (type: string, data: object): NewEvent => ({ eventId: `e${++eventNumber}`, type, data, metadata: { schemaVersion: 1, correlationId: 'p', causationId: 'p', actor: 'p' } });
          const append = async (streamId: string, events: NewEvent[]) => {
            const { position } = await storage.eventStore.append(streamId, events, 'any');
            expect(await runner.waitFor(position, 10_000)).toBe(true);
          };
          const sources = [...FIRST_SOURCES];
          const register = (id: string) => append(sourceStreamId(id), [event('SourceRegistered', { sourceId: id, name: id, kind: 'media', ...(id === 'b' ? { affiliation: 'house' } : {}) })]);
          for (const id of sources) await register(id);
          const claims: { id: string; development: string; retracted: boolean }[] = [];
          const recorded = new Set<string>();
          const recordedTimes: number[] = [];

          for (const [step, asks] of steps) {
            if (step.kind === 'claim') {
              const development = DEVELOPMENTS[step.development];
              const id = `c${claims.length}`;
              // Sources 2 and 3 may not be registered yet (a log from elsewhere).
              const fields = { developmentId: development, claimId: id, sourceId: ['a', 'b', 'c', 'd'][step.source], stance: step.stance, reportedAt: day(step.day), quote: step.day % 2 === 0 ? 'x marks' : 'nothing' };
              const recording = recorded.has(development) ? [] : [event('DevelopmentRecorded', { developmentId: development, title: development, topics: ['t'] })];
              recorded.add(development);
              claims.push({ id, development, retracted: false });
              await append(developmentStreamId(development), [...recording, event('ClaimReported', fields)]);
            } else if (step.kind === 'retract' || step.kind === 'correct') {
              const open = claims.filter((claim) => !claim.retracted);
              if (open.length === 0) continue;
              const claim = open[step.claim % open.length];
              if (step.kind === 'retract') {
                claim.retracted = true;
                await append(developmentStreamId(claim.development), [event('ClaimRetracted', { developmentId: claim.development, claimId: claim.id, reportedAt: day(step.day), reason: 'withdrawn' })]);
              } else {
                await append(developmentStreamId(claim.development), [event('ClaimCorrected', { developmentId: claim.development, claimId: claim.id, changes: { reportedAt: day(step.day) }, reason: 'fix' })]);
              }
            } else if (step.kind === 'revise') {
              const development = DEVELOPMENTS[step.development];
              if (!recorded.has(development)) continue;
              await append(developmentStreamId(development), [event('DevelopmentRevised', { developmentId: development, revisionId: `r${eventNumber}`, changes: { title: step.title }, reportedAt: day(step.day), reason: 'learned' })]);
            } else if (step.kind === 'rate') {
              const id = ['a', 'b', 'c', 'd'][step.source];
              if (!sources.includes(id)) continue;
              await append(sourceStreamId(id), [event('SourceRated', { sourceId: id, reliability: step.reliability, reportedAt: day(step.day), reason: 'rated' })]);
            } else {
              const id = ['c', 'd'].find((candidate) => !sources.includes(candidate));
              if (!id) continue;
              sources.push(id);
              await register(id);
            }
            recordedTimes.push((await queries.readModelPoint()).recordedAtMs);

            const latest = EVERY_DAY.map((asOfDay) => ({ day: asOfDay, earlier: undefined as number | undefined }));
            for (const { day: asOfDay, earlier } of [...latest, ...asks]) {
              const recordedAsOfMs = earlier === undefined ? now + 1 : recordedTimes[earlier % recordedTimes.length];
              const at = { asOfMs: BASE + asOfDay * DAY - 1, recordedAsOfMs };
              for (const [filter, limit] of FILTERS) {
                const served = await handler.execute(new KnowledgeAsOfQuery(at, filter, limit, undefined, undefined, true));
                const read = await queries.knowledgeAsOf(at, filter, limit);
                expect(JSON.parse(served.items.toString())).toEqual(JSON.parse(JSON.stringify(read.items)));
              }
            }
          }
        } finally {
          await runner.stop();
          await storage.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  }, 240_000);
});
