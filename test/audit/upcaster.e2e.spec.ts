import { auditLeafHash } from '../../src/audit/audit-leaf';
import { toHex } from '../../src/audit/merkle/merkle-hash';
import { EVENT_STORE, EventStore, NewEvent } from '../../src/event-store/event-store.port';
import { UpcasterRegistry, upcasters } from '../../src/event-store/upcasters';
import { aClaim, aManualClock } from '../support/builders';
import { TestApp, startTestApp } from '../support/test-app';
import { loggedEvents } from './support/history';

/**
 * `ClaimReported` as written at schema version 1, before it changed: the source was `source`, and
 * an estimate was a bare `estimate` number with `estimateUnit` and an `approximate` flag. Version 2
 * (today's shape) has `sourceId` and `quantity: {value, unit, qualifier}`.
 */
function claimReportedV1ToV2(data: Record<string, unknown>): Record<string, unknown> {
  const { source, estimate, estimateUnit, approximate, ...rest } = data;
  return {
    ...rest,
    sourceId: source,
    ...(typeof estimate === 'number' ? { quantity: { value: estimate, unit: estimateUnit, qualifier: approximate ? 'about' : 'exact' } } : {}),
  };
}

const metadata = (schemaVersion: number) => ({ schemaVersion, correlationId: 'legacy-import', causationId: 'legacy-import', actor: 'legacy' });
const event = (eventId: string, type: string, data: object, schemaVersion = 1): NewEvent => ({ eventId, type, data, metadata: metadata(schemaVersion) });

const LEGACY_CLAIM = {
  developmentId: 'troop-estimate',
  claimId: 'c0ffee00-0000-4000-8000-000000000001',
  source: 'kyiv-intel',
  stance: 'asserts',
  reportedAt: '2024-10-18',
  estimate: 12000,
  estimateUnit: 'troops',
  approximate: true,
};

describe('an event type that changed since version 1', () => {
  let app: TestApp;
  let unregister: () => void;

  beforeAll(async () => {
    unregister = upcasters.register('ClaimReported', 1, claimReportedV1ToV2);
    const clock = aManualClock('2024-10-20T08:00:00.000Z');
    app = await startTestApp({ clock });
    const store = app.app.get<EventStore>(EVENT_STORE);
    await store.append('source-kyiv-intel', [event('a0000000-0000-4000-8000-000000000001', 'SourceRegistered', { sourceId: 'kyiv-intel', name: 'Ukrainian intelligence', kind: 'intelligence' })], 'no-stream');
    clock.advance();
    await store.append(
      'development-troop-estimate',
      [
        event('a0000000-0000-4000-8000-000000000002', 'DevelopmentRecorded', { developmentId: 'troop-estimate', title: 'North Korean troops in Russia', topics: ['troops'] }),
        event('a0000000-0000-4000-8000-000000000003', 'ClaimReported', LEGACY_CLAIM),
      ],
      'no-stream',
    );
    await app.get('/v1/knowledge?minPosition=3');
  });
  afterAll(async () => {
    unregister();
    await app.close();
  });

  it('reads as the current shape in the knowledge API', async () => {
    const [view] = (await app.get('/v1/knowledge?asOf=2024-10-19&minPosition=3')).body.items;
    expect(view.assertedBy).toEqual(['kyiv-intel']);
    expect(view.estimates).toEqual([{ unit: 'troops', min: 12000, max: 12000, claims: 1 }]);
    expect(view.claims).toEqual([expect.objectContaining({ sourceId: 'kyiv-intel', quantity: { value: 12000, unit: 'troops', qualifier: 'about' } })]);
  });

  it('reads as the current shape in the replay, which matches the read model', async () => {
    const replay = (await app.get('/v1/audit/replay?asOf=2024-10-19')).body;
    expect(replay.matchesReadModel).toBe(true);
    expect(replay.items[0].claims[0]).toEqual(expect.objectContaining({ sourceId: 'kyiv-intel', quantity: { value: 12000, unit: 'troops', qualifier: 'about' } }));
  });

  it('is served exactly as stored by the log, the history and the export, so its leaf hash never changes', async () => {
    const [, , claim] = await loggedEvents(app);
    expect(claim).toEqual(expect.objectContaining({ type: 'ClaimReported', data: LEGACY_CLAIM, metadata: metadata(1) }));
    const history = (await app.get('/v1/developments/troop-estimate/history')).body.items;
    expect(history[1]).toEqual(claim);
    const exported = (await app.get('/v1/audit/export')).text.trim().split('\n').map((line) => JSON.parse(line));
    expect(exported[3]).toEqual({ leafIndex: 2, leafHash: toHex(auditLeafHash(claim as never)), event: claim });
    expect((await app.get('/v1/audit/inclusion?position=3')).body.leafHash).toBe(toHex(auditLeafHash(claim as never)));
    expect((await app.get('/v1/audit/verify')).body).toEqual(expect.objectContaining({ ok: true, treeSize: 3 }));
  });

  it('is written at its current version by new commands, which are then read as written, not upcast again', async () => {
    const quantity = { value: 11000, unit: 'troops', qualifier: 'about' };
    const posted = await app.post('/v1/developments/troop-estimate/claims', aClaim({ sourceId: 'kyiv-intel', reportedAt: '2024-10-19', quantity }));
    expect(posted.status).toBe(201);
    const events = await loggedEvents(app);
    const written = events[events.length - 1] as { position: number; type: string; metadata: { schemaVersion: number } };
    expect(written).toEqual(expect.objectContaining({ type: 'ClaimReported', metadata: expect.objectContaining({ schemaVersion: 2 }) }));
    const [view] = (await app.get(`/v1/knowledge?asOf=2024-10-19&minPosition=${written.position}`)).body.items;
    expect(view.claims).toEqual([
      expect.objectContaining({ sourceId: 'kyiv-intel', quantity: { value: 12000, unit: 'troops', qualifier: 'about' } }),
      expect.objectContaining({ sourceId: 'kyiv-intel', quantity }),
    ]);
    expect(view.estimates).toEqual([{ unit: 'troops', min: 11000, max: 12000, claims: 2 }]);
    // Other types, with no upcaster, are still written at the first version.
    expect(events.filter((event) => event.type !== 'ClaimReported').map((event) => (event.metadata as { schemaVersion: number }).schemaVersion)).toEqual([1, 1]);
  });
});

describe('the version an event type is written at', () => {
  it('is one past the last version an upcaster upgrades from, the first version without one', () => {
    const registry = new UpcasterRegistry();
    expect(registry.currentVersion('ClaimReported')).toBe(1);
    const unregister = registry.register('ClaimReported', 1, (data) => data);
    registry.register('ClaimReported', 2, (data) => data);
    expect(registry.currentVersion('ClaimReported')).toBe(3);
    expect(registry.currentVersion('SourceRegistered')).toBe(1);
    unregister();
    expect(registry.currentVersion('ClaimReported')).toBe(3);
    registry.register('SourceRegistered', 4, (data) => data);
    expect(registry.currentVersion('SourceRegistered')).toBe(5);
  });
});
