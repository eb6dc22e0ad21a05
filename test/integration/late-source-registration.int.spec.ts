import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/bootstrap/open-storage';
import { developmentStreamId } from '../../src/domain/development/development.events';
import { replayKnowledge } from '../../src/domain/knowledge/knowledge.replay';
import { sourceStreamId } from '../../src/domain/source/source.events';
import { NewEvent } from '../../src/event-store/event-store.port';
import { upcast } from '../../src/event-store/upcasters';
import { KnowledgeProjection } from '../../src/projections/knowledge/knowledge.projection';
import { KnowledgeQueries } from '../../src/projections/knowledge/knowledge.queries';
import { ProjectionRunner, startProjections } from '../../src/projections/projection-runner';

let eventNumber = 0;
const event = (type: string, data: object): NewEvent => ({ eventId: `e-${++eventNumber}`, type, data, metadata: { schemaVersion: 1, correlationId: 'test', causationId: 'test', actor: 'test' } });
const claim = (claimId: string, sourceId: string, reportedAt: string) => event('ClaimReported', { developmentId: 'd1', claimId, sourceId, stance: 'asserts', reportedAt });
const source = (sourceId: string) => event('SourceRegistered', { sourceId, name: sourceId, kind: 'media', affiliation: 'one-house' });

/**
 * A log from elsewhere (`import` takes any valid log; the API refuses a claim naming a source not
 * registered) may register a source after claims that name it. From then on its affiliation is their
 * origin at every knowledge time, so the development's whole status timeline changes, not only from
 * the next claim's time on.
 */
describe('a source registered after claims that name it', () => {
  it('gives them its origin at every knowledge time from its registration on, as the replay of the log does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeline-late-source-'));
    let now = Date.UTC(2025, 0, 1);
    const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, { now: () => (now += 1000) });
    try {
      const stream = developmentStreamId('d1');
      await storage.eventStore.append(sourceStreamId('a'), [source('a')], 'no-stream');
      await storage.eventStore.append(stream, [event('DevelopmentRecorded', { developmentId: 'd1', title: 'd1' }), claim('c0', 'x', '2024-10-01')], 'no-stream');
      await storage.eventStore.append(stream, [claim('c1', 'a', '2024-10-02')], 'any');
      await storage.eventStore.append(stream, [claim('c2', 'a', '2024-10-03')], 'any');
      const { position: registered } = await storage.eventStore.append(sourceStreamId('x'), [source('x')], 'no-stream');
      await storage.eventStore.append(stream, [claim('c3', 'a', '2024-10-04')], 'any');

      const runner = new ProjectionRunner(storage.eventStore, storage.readModel, new KnowledgeProjection());
      await runner.start();
      expect(await runner.waitFor(await storage.eventStore.headPosition(), 10_000)).toBe(true);
      await runner.stop();

      const log = (await storage.eventStore.readAll()).map((stored) => upcast(stored));
      const queries = new KnowledgeQueries(storage.readModel);
      const registeredAtMs = Date.parse(log[Number(registered) - 1].recordedAt);
      for (const recordedAsOfMs of [registeredAtMs - 1, registeredAtMs, now]) {
        for (const day of ['2024-10-02', '2024-10-03', '2024-10-04']) {
          const at = { asOfMs: Date.parse(day), recordedAsOfMs };
          const statuses = (await queries.knowledgeAsOf(at, {}, 10)).items.map((view) => view.status);
          expect([day, recordedAsOfMs, statuses]).toEqual([day, recordedAsOfMs, replayKnowledge(log, at).map((view) => view.status)]);
        }
      }
      // Before x was registered, x and a are two origins; after, one house: reported, not corroborated.
      const on2nd = (recordedAsOfMs: number) => queries.knowledgeAsOf({ asOfMs: Date.parse('2024-10-02'), recordedAsOfMs }, {}, 10);
      expect((await on2nd(registeredAtMs - 1)).items.map((view) => view.status)).toEqual(['corroborated']);
      expect((await on2nd(now)).items.map((view) => view.status)).toEqual(['reported']);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives them its origin when each append is applied in a batch of its own, the origins of the others kept between batches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeline-late-source-batches-'));
    let now = Date.UTC(2025, 0, 1);
    const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, { now: () => (now += 1000) });
    try {
      // As the server's: each append applied in its own transaction, each a batch.
      const [runner] = await startProjections(storage.eventStore, storage.readModel, [new KnowledgeProjection()], { inAppendTransactions: true });
      const stream = developmentStreamId('d1');
      const appended: bigint[] = [];
      const append = async (streamId: string, events: NewEvent[]) => appended.push((await storage.eventStore.append(streamId, events, 'any')).position);
      await append(sourceStreamId('a'), [source('a')]);
      await append(stream, [event('DevelopmentRecorded', { developmentId: 'd1', title: 'd1' }), claim('c0', 'x', '2024-10-01')]);
      await append(stream, [claim('c1', 'a', '2024-10-02')]);
      await append(sourceStreamId('x'), [source('x')]);
      await append(stream, [claim('c2', 'a', '2024-10-03')]);
      await runner.stop();
      expect(runner.checkpoint).toBe(appended[appended.length - 1]);

      const log = (await storage.eventStore.readAll()).map((stored) => upcast(stored));
      const queries = new KnowledgeQueries(storage.readModel);
      for (const day of ['2024-10-01', '2024-10-02', '2024-10-03']) {
        const at = { asOfMs: Date.parse(day), recordedAsOfMs: now };
        const statuses = (await queries.knowledgeAsOf(at, {}, 10)).items.map((view) => view.status);
        expect([day, statuses]).toEqual([day, replayKnowledge(log, at).map((view) => view.status)]);
      }
      // x and a are one house once x is registered: reported, not corroborated.
      expect((await queries.knowledgeAsOf({ asOfMs: Date.parse('2024-10-03'), recordedAsOfMs: now }, {}, 10)).items.map((view) => view.status)).toEqual(['reported']);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
