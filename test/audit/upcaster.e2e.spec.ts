import { auditLeafHash } from '../../src/audit/audit-leaf';
import { toHex } from '../../src/audit/merkle/merkle-hash';
import { EVENT_STORE, EventStore, NewEvent, StoredEvent } from '../../src/event-store/event-store.port';
import { FIRST_SCHEMA_VERSION, UpcasterRegistry, upcasters } from '../../src/event-store/upcasters';
import { aClaim, aManualClock } from '../support/builders';
import { TestApp, startTestApp } from '../support/test-app';
import { loggedEvents } from './support/history';

/**
 * `ClaimReported` as written at a made-up schema version 0, before version 1: the source was
 * `source`, and an estimate was a bare `estimate` number with `estimateUnit` and an `approximate`
 * flag. Version 1 has `sourceId` and `quantity: {value, unit, qualifier}`. The step is registered
 * from version 0, below every real upcaster, so it never collides with one: a legacy event goes
 * 0 -> 1 here, then on through whatever real steps start at 1.
 */
function claimReportedV0ToV1(data: Record<string, unknown>): Record<string, unknown> {
  const { source, estimate, estimateUnit, approximate, ...rest } = data;
  return {
    ...rest,
    sourceId: source,
    ...(typeof estimate === 'number' ? { quantity: { value: estimate, unit: estimateUnit, qualifier: approximate ? 'about' : 'exact' } } : {}),
  };
}

const metadata = (schemaVersion: number) => ({ schemaVersion, correlationId: 'legacy-import', causationId: 'legacy-import', actor: 'legacy' });
const event = (eventId: string, type: string, data: object, schemaVersion = FIRST_SCHEMA_VERSION): NewEvent => ({ eventId, type, data, metadata: metadata(schemaVersion) });

const LEGACY_VERSION = 0;
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
/** The legacy estimate as version 1 reads it (later versions may add to it, e.g. a measure). */
const LEGACY_QUANTITY = expect.objectContaining({ value: 12000, unit: 'troops', qualifier: 'about' });

describe('an event type stored at a version before the first', () => {
  let app: TestApp;
  let unregister: () => void;

  beforeAll(async () => {
    unregister = upcasters.register('ClaimReported', LEGACY_VERSION, claimReportedV0ToV1);
    const clock = aManualClock('2024-10-20T08:00:00.000Z');
    app = await startTestApp({ clock });
    const store = app.app.get<EventStore>(EVENT_STORE);
    await store.append('source-kyiv-intel', [event('a0000000-0000-4000-8000-000000000001', 'SourceRegistered', { sourceId: 'kyiv-intel', name: 'Ukrainian intelligence', kind: 'intelligence' })], 'no-stream');
    clock.advance();
    await store.append(
      'development-troop-estimate',
      [
        event('a0000000-0000-4000-8000-000000000002', 'DevelopmentRecorded', { developmentId: 'troop-estimate', title: 'North Korean troops in Russia', topics: ['troops'] }),
        event('a0000000-0000-4000-8000-000000000003', 'ClaimReported', LEGACY_CLAIM, LEGACY_VERSION),
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
    expect(view.estimates).toEqual([
      {
        measure: 'troops',
        unit: 'troops',
        low: 12000,
        high: 12000,
        figures: [{ claimId: LEGACY_CLAIM.claimId, sourceId: 'kyiv-intel', reportedAt: '2024-10-18', qualifier: 'about', value: 12000 }],
      },
    ]);
    expect(view.claims).toEqual([expect.objectContaining({ source: { id: 'kyiv-intel', name: 'Ukrainian intelligence', kind: 'intelligence', reliability: null }, quantity: LEGACY_QUANTITY })]);
  });

  it('reads as the current shape in the replay, which matches the read model', async () => {
    const replay = (await app.get('/v1/audit/replay?asOf=2024-10-19')).body;
    expect(replay.matchesReadModel).toBe(true);
    expect(replay.items[0].claims[0]).toEqual(expect.objectContaining({ source: expect.objectContaining({ id: 'kyiv-intel' }), quantity: LEGACY_QUANTITY }));
  });

  it('is served exactly as stored by the log, the history and the export, so its leaf hash never changes', async () => {
    const [, , claim] = await loggedEvents(app);
    expect(claim).toEqual(expect.objectContaining({ type: 'ClaimReported', data: LEGACY_CLAIM, metadata: metadata(LEGACY_VERSION) }));
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
    expect(upcasters.currentVersion('ClaimReported')).toBeGreaterThan(LEGACY_VERSION);
    expect(written).toEqual(
      expect.objectContaining({ type: 'ClaimReported', metadata: expect.objectContaining({ schemaVersion: upcasters.currentVersion('ClaimReported') }) }),
    );
    const [view] = (await app.get(`/v1/knowledge?asOf=2024-10-19&minPosition=${written.position}`)).body.items;
    // Upcast again by the 0 -> 1 step, the new claim would have lost its sourceId.
    expect(view.claims).toEqual([
      expect.objectContaining({ source: expect.objectContaining({ id: 'kyiv-intel' }), quantity: LEGACY_QUANTITY }),
      expect.objectContaining({ source: expect.objectContaining({ id: 'kyiv-intel' }), quantity: expect.objectContaining(quantity) }),
    ]);
    // The source's later figure supersedes its earlier one.
    expect(view.estimates).toEqual([
      { measure: 'troops', unit: 'troops', low: 11000, high: 11000, figures: [expect.objectContaining({ sourceId: 'kyiv-intel', reportedAt: '2024-10-19', value: 11000 })] },
    ]);
    // The other types were stored at the first version, and are served as stored.
    expect(events.filter((event) => event.type !== 'ClaimReported').map((event) => (event.metadata as { schemaVersion: number }).schemaVersion)).toEqual([
      FIRST_SCHEMA_VERSION,
      FIRST_SCHEMA_VERSION,
    ]);
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

  it('stays the first version when the only upcaster upgrades from version 0', () => {
    const registry = new UpcasterRegistry();
    registry.register('ClaimReported', 0, (data) => data);
    expect(registry.currentVersion('ClaimReported')).toBe(FIRST_SCHEMA_VERSION);
  });
});

describe('upcasting from the stored version', () => {
  /** Steps 0 -> 1 -> 2 that each leave a trace, so the path an event took shows in its data. */
  const registry = new UpcasterRegistry();
  registry.register('ClaimReported', 0, (data) => ({ ...data, steps: [...(data.steps as number[]), 0] }));
  registry.register('ClaimReported', 1, (data) => ({ ...data, steps: [...(data.steps as number[]), 1] }));
  const stored = (type: string, schemaVersion: number): StoredEvent => ({
    position: 1n,
    streamId: 'development-x',
    streamVersion: 0n,
    eventId: 'a0000000-0000-4000-8000-000000000009',
    type,
    data: { steps: [] },
    metadata: { ...metadata(schemaVersion) },
    recordedAt: '2024-10-20T08:00:00.000Z',
  });

  it.each([
    ['ClaimReported', 0, [0, 1], 2],
    ['ClaimReported', 1, [1], 2],
    ['ClaimReported', 2, [], 2],
    ['SourceRegistered', 0, [], 0],
    ['SourceRegistered', 1, [], 1],
  ])('takes %s stored at version %s through steps %j to version %s', (type, version, steps, upcastVersion) => {
    const event = stored(type, version);
    const upcast = registry.upcast(event);
    expect({ steps: upcast.data.steps, schemaVersion: upcast.metadata.schemaVersion }).toEqual({ steps, schemaVersion: upcastVersion });
    if (steps.length === 0) expect(upcast).toBe(event);
  });
});
