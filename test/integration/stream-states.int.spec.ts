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

  it('read only what was appended since the kept state (by another writer too), and decide on it', async () => {
    const store = await aStore();
    const states = new StreamStates(1000);
    await handleCommand(store, stream, developmentDecider, record, context(), states);
    const mine = await handleCommand(store, stream, developmentDecider, report('mine'), context(), states);
    // Another instance (no kept state of its own) reports a claim.
    const theirs = await handleCommand(store, stream, developmentDecider, report('theirs'), context());
    const whole = await store.readStream(stream);
    const reads = jest.spyOn(store, 'readStream');

    const retracted = await handleCommand(store, stream, developmentDecider, retract('theirs'), context(), states);

    expect(retracted.events.map((event) => event.type)).toEqual(['ClaimRetracted']);
    // The state was kept as read before `mine` was appended: one read, from its last event (to
    // check the stream still holds it) on, with `mine` and `theirs` after it.
    const kept = mine.streamVersion - BigInt(mine.events.length);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledWith(stream, { afterVersion: kept - 1n });
    expect(await reads.mock.results[0].value).toEqual(whole.slice(Number(kept)));
    expect(whole.slice(Number(kept) + 1).map((event) => event.eventId)).toEqual([...mine.events, ...theirs.events].map((event) => event.eventId));
    expect(states.get(stream, developmentDecider)?.version).toBe(theirs.streamVersion);
  });

  it('read the stream whole when it no longer holds the kept state (a store replaced by an older copy), and decide on that', async () => {
    const states = new StreamStates(1000);
    const first = await aStore();
    await handleCommand(first, stream, developmentDecider, record, context(), states);
    await handleCommand(first, stream, developmentDecider, report('a'), context(), states);
    await handleCommand(first, stream, developmentDecider, report('b'), context(), states);
    expect(states.get(stream, developmentDecider)?.version).toBeDefined();
    const replaced = await aStore();
    const recorded = await handleCommand(replaced, stream, developmentDecider, record, context());

    // `a` is in the kept state, not in the replaced stream: reported, not refused as a duplicate.
    const reported = await handleCommand(replaced, stream, developmentDecider, report('a'), context(), states);

    expect(reported.streamVersion).toBe(recorded.streamVersion + 1n);
    expect(reported.events.map((event) => [event.type, (event.data as { claimId: string }).claimId])).toEqual([['ClaimReported', 'a']]);
  });

  it('read the stream whole when another event than the kept one stands at its version (a failover that lost a commit)', async () => {
    const states = new StreamStates(1000);
    const first = await aStore();
    const second = await aStore();
    for (const store of [first, second]) await handleCommand(store, stream, developmentDecider, record, context());
    await handleCommand(first, stream, developmentDecider, report('lost'), context(), states);
    await handleCommand(first, stream, developmentDecider, report('x'), context(), states);
    // The same versions in the other store, with other claims.
    await handleCommand(second, stream, developmentDecider, report('kept'), context());
    await handleCommand(second, stream, developmentDecider, report('y'), context());

    await expect(handleCommand(second, stream, developmentDecider, retract('lost'), context(), states)).rejects.toThrow(/lost/);
    const retracted = await handleCommand(second, stream, developmentDecider, retract('kept'), context(), states);
    expect(retracted.events.map((event) => event.type)).toEqual(['ClaimRetracted']);
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
