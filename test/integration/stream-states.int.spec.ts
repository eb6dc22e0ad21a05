import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage, openStorage } from '../../src/bootstrap/open-storage';
import { DevelopmentCommand, developmentDecider } from '../../src/domain/development/development.decider';
import { developmentStreamId } from '../../src/domain/development/development.events';
import { handleCommand } from '../../src/event-store/handle-command';
import { StreamStates } from '../../src/event-store/stream-states';
import { systemClock } from '../../src/platform/clock';
import { IdGenerator } from '../../src/platform/ids';

const stream = developmentStreamId('d');
const claim = { sourceId: 's', stance: 'asserts' as const, reportedAt: '2024-10-18' };
const record: DevelopmentCommand = {
  type: 'RecordDevelopment',
  data: { developmentId: 'd', fields: { title: 'Troops seen', topics: ['t'] }, claimId: 'first', claim, registeredSourceIds: ['s'] },
};
const report = (claimId: string): DevelopmentCommand => ({ type: 'ReportClaim', data: { developmentId: 'd', claimId, claim, registeredSourceIds: ['s'] } });
const retract = (claimId: string): DevelopmentCommand => ({ type: 'RetractClaim', data: { developmentId: 'd', claimId, reportedAt: '2024-10-20', reason: 'withdrawn' } });
const context = (seed?: string) => ({ correlationId: 'c', actor: 'test', ids: new IdGenerator(seed) });

describe('commands with kept stream states', () => {
  const opened: { dir: string; storage: Storage }[] = [];
  const aStore = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeline-states-'));
    const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, systemClock);
    opened.push({ dir, storage });
    return storage.eventStore;
  };
  afterEach(async () => {
    for (const { dir, storage } of opened.splice(0)) {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decide on what another writer appended since the state was kept', async () => {
    const store = await aStore();
    const states = new StreamStates(1000);
    await handleCommand(store, stream, developmentDecider, record, context(), states);
    // Another instance (no kept state of its own) reports a claim.
    await handleCommand(store, stream, developmentDecider, report('theirs'), context());

    const retracted = await handleCommand(store, stream, developmentDecider, retract('theirs'), context(), states);

    expect(retracted.events.map((event) => event.type)).toEqual(['ClaimRetracted']);
    expect(states.get(stream, developmentDecider)?.version).toBe(retracted.streamVersion - 1n);
  });

  it('read the stream whole again when it is not where the kept state says, and decide on it', async () => {
    const states = new StreamStates(1000);
    const first = await aStore();
    await handleCommand(first, stream, developmentDecider, record, context(), states);
    await handleCommand(first, stream, developmentDecider, report('a'), context(), states);
    await handleCommand(first, stream, developmentDecider, report('b'), context(), states);
    // The same stream in another store (one restored from an older copy): shorter than the state kept.
    const replaced = await aStore();
    const recorded = await handleCommand(replaced, stream, developmentDecider, record, context());

    const reported = await handleCommand(replaced, stream, developmentDecider, report('b'), context(), states);

    // The append expected the kept version and was refused; read whole, the replaced stream takes `b`.
    expect(reported.streamVersion).toBe(recorded.streamVersion + 1n);
    expect(reported.events.map((event) => [event.type, (event.data as { claimId: string }).claimId])).toEqual([['ClaimReported', 'b']]);
  });

  it('answer a retried request (derived ids) with its earlier result, its stream read whole', async () => {
    const store = await aStore();
    const states = new StreamStates(1000);
    await handleCommand(store, stream, developmentDecider, record, context(), states);
    const original = await handleCommand(store, stream, developmentDecider, report('a'), context('key-1'), states);
    await handleCommand(store, stream, developmentDecider, report('b'), context(), states);

    const retried = await handleCommand(store, stream, developmentDecider, report('a'), context('key-1'), states);

    expect(retried).toEqual({ ...original, replayed: true });
  });
});
