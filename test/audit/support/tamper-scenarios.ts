import { AuditTree } from '../../../src/audit/audit-tree';
import { leafRangeChecker } from '../../../src/audit/verify/leaf-range-workers';
import { verifyLog } from '../../../src/audit/verify/log-verifier';
import { STORAGE, Storage } from '../../../src/bootstrap/open-storage';
import { aManualClock } from '../../support/builders';
import { TestApp, startTestApp } from '../../support/test-app';
import { writeHistory } from './history';
import { RawLog, rawLog, rewriteAsOtherJson, tampering } from './raw-log';

type Scenario = Readonly<{ name: string; tamper: (raw: RawLog) => Promise<void>; position: number; reason: string }>;

/** Each way of rewriting the table, and what `/v1/audit/verify` must name: the first bad position. */
export const SCENARIOS: readonly Scenario[] = [
  { name: 'editing the data of a row', tamper: (raw) => tampering.edit(raw, 4), position: 4, reason: 'leaf-hash' },
  { name: "overwriting a row's data with text that is not JSON", tamper: (raw) => tampering.garble(raw, 6), position: 6, reason: 'leaf-hash' },
  { name: 'deleting a row', tamper: (raw) => tampering.delete(raw, 4), position: 4, reason: 'position' },
  { name: 'deleting the last row', tamper: (raw) => tampering.delete(raw, 8), position: 8, reason: 'missing-event' },
  { name: 'inserting a row', tamper: (raw) => tampering.insert(raw, 3), position: 3, reason: 'leaf-hash' },
  { name: "swapping two rows' contents", tamper: (raw) => tampering.swap(raw, 5, 7), position: 5, reason: 'leaf-hash' },
];

/**
 * The tamper-detection tests on whatever store `env` selects: an app with the 8-event history,
 * verified clean, then one table rewrite, then verified again.
 */
export function tamperDetectionTests(env: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>): void {
  let app: TestApp | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await app?.close();
    await cleanup?.();
    app = undefined;
    cleanup = undefined;
  });

  /** An app on the store `env` selects, with the 8-event history written (closed after the test). */
  async function appWithHistory(): Promise<TestApp> {
    const store = await env();
    cleanup = store.cleanup;
    const clock = aManualClock();
    const started = await startTestApp({ clock, env: store.env });
    app = started; // closed after the test, also should the history fail
    await writeHistory(started, clock);
    return started;
  }

  it.each(SCENARIOS)('detects $name, naming position $position', async ({ tamper, position, reason }) => {
    app = await appWithHistory();
    const clean = await app.get('/v1/audit/verify');
    expect(clean.status).toBe(200);
    expect(clean.body).toEqual({ ok: true, treeSize: 8, rootHash: (await app.get('/v1/audit/tree-head')).body.rootHash });

    const raw = await rawLog(app.config);
    try {
      await tamper(raw);
    } finally {
      await raw.close();
    }
    const verify = await app.get('/v1/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual(
      expect.objectContaining({ ok: false, firstMismatch: expect.objectContaining({ position, reason, leafIndex: position - 1 }) }),
    );
    const { report, matches } = await verifiedInRanges(app);
    // (The tree may have grown by the inserted row since: the projection takes it for a new event.)
    expect(report).toEqual(expect.objectContaining({ ok: false, firstMismatch: verify.body.firstMismatch }));
    // The ranges before the damaged leaf match; the one holding it does not.
    const damaged = Math.floor((position - 1) / 2);
    expect(matches.slice(0, damaged + 1)).toEqual([...Array(damaged).fill(true), false]);
  });

  it("names a stored leaf hash whose last character was moved to the next leaf's, also through the range checks", async () => {
    app = await appWithHistory();
    const raw = await rawLog(app.config);
    try {
      // Leaf 4 loses its last character to the front of leaf 5's hash: joined, the two read as before.
      const [{ hash }] = await raw.rows('SELECT hash FROM audit_leaves WHERE leaf_index = 4');
      await raw.run('UPDATE audit_leaves SET hash = ? WHERE leaf_index = 4', String(hash).slice(0, -1));
      await raw.run('UPDATE audit_leaves SET hash = ? || hash WHERE leaf_index = 5', String(hash).slice(-1));
    } finally {
      await raw.close();
    }
    const verify = (await app.get('/v1/audit/verify')).body;
    expect(verify).toEqual(expect.objectContaining({ ok: false, firstMismatch: expect.objectContaining({ position: 5, reason: 'leaf-hash' }) }));
    expect(await verifiedInRanges(app)).toEqual({ report: verify, matches: [true, true, false, true] });
  });

  it('verifies rows stored as other JSON text for the same values (as before appends stored canonical JSON) as untouched', async () => {
    app = await appWithHistory();
    const head = (await app.get('/v1/audit/tree-head')).body;
    const served = (await app.get('/v1/events')).body;

    const raw = await rawLog(app.config);
    try {
      await rewriteAsOtherJson(raw);
      expect(String((await raw.rows('SELECT data FROM events WHERE position = 1'))[0].data)).toContain('\n');
    } finally {
      await raw.close();
    }
    expect((await app.get('/v1/audit/verify')).body).toEqual({ ok: true, treeSize: 8, rootHash: head.rootHash });
    expect(await verifiedInRanges(app)).toEqual({ report: { ok: true, treeSize: 8, rootHash: head.rootHash }, matches: [true, true, true, true] });
    expect((await app.get('/v1/events')).body).toEqual(served);
  });
}

/**
 * Verify with the store's range checks (worker threads on SQLite, queries in flight on PostgreSQL)
 * over ranges of 2 leaves, as the server does them for large logs (the report must be the one
 * `/v1/audit/verify` gives on one thread for this small log), and which of the 4 ranges match.
 */
async function verifiedInRanges(app: TestApp): Promise<{ report: unknown; matches: boolean[] }> {
  const storage = app.app.get<Storage>(STORAGE, { strict: false });
  const checker = leafRangeChecker(storage.leafRanges, 2);
  if (!checker) throw new Error('this store has no range checks');
  try {
    const matches: boolean[] = [];
    await checker.check([0, 2, 4, 6].map((fromIndex) => ({ fromIndex, count: 2 })), (result) => matches.push(result.matches) > 0);
    const report = await verifyLog(storage.eventStore, new AuditTree(storage.readModel), { workers: checker, rangeLeaves: 2 });
    return { report, matches };
  } finally {
    await checker.close();
  }
}
