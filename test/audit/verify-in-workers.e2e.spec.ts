import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditTree } from '../../src/audit/audit-tree';
import { LeafRange, LeafRangeResult, SqliteLeafRangeSource, checkLeafRange } from '../../src/audit/verify/leaf-ranges';
import { RangeHashing, nodeCryptoHashing, rangeHashing } from '../../src/audit/verify/range-hashing';
import { SqliteLeafRangeReader } from '../../src/audit/verify/sqlite-leaf-ranges';
import { LeafRangeWorkers } from '../../src/audit/verify/leaf-range-workers';
import { verifyLog } from '../../src/audit/verify/log-verifier';
import { SQLITE_FILE, STORAGE, Storage } from '../../src/bootstrap/open-storage';
import { aManualClock } from '../support/builders';
import { TestApp, startTestApp } from '../support/test-app';
import { writeHistory } from './support/history';
import { RawLog, rawLog, rewriteAsOtherJson } from './support/raw-log';
import { SCENARIOS } from './support/tamper-scenarios';

/**
 * Verify with its parallel pass: worker threads check ranges of 2 leaves of the 8-event history
 * (4 ranges), each on its own connection to the app's SQLite file; this thread goes on from the
 * first range that does not match.
 */
/** The embedded store's file, which verify's workers open. */
function sqliteSource(storage: Storage): SqliteLeafRangeSource {
  const source = storage.leafRanges;
  if (source?.kind !== 'sqlite') throw new Error('the embedded store gave no file for verify workers');
  return source;
}

describe('verify in worker threads (embedded store)', () => {
  let app: TestApp | undefined;
  let workers: LeafRangeWorkers | undefined;

  afterEach(async () => {
    await workers?.close();
    await app?.close();
    workers = undefined;
    app = undefined;
  });

  async function historyApp(): Promise<{ storage: Storage; tree: AuditTree; workers: LeafRangeWorkers }> {
    const clock = aManualClock();
    app = await startTestApp({ clock });
    await writeHistory(app, clock);
    const storage = app.app.get<Storage>(STORAGE, { strict: false });
    workers = new LeafRangeWorkers(sqliteSource(storage), 2);
    return { storage, tree: new AuditTree(storage.readModel), workers };
  }

  async function tamperWith(tamper: (raw: RawLog) => Promise<void>): Promise<void> {
    const raw = await rawLog(app!.config);
    try {
      await tamper(raw);
    } finally {
      await raw.close();
    }
  }

  async function rangeResults(pool: LeafRangeWorkers): Promise<LeafRangeResult[]> {
    const results: LeafRangeResult[] = [];
    await pool.check([0, 2, 4, 6].map((fromIndex) => ({ fromIndex, count: 2 })), (result) => {
      results.push(result);
      return true;
    });
    return results;
  }

  /** The four ranges checked on this thread with `hashing`. */
  async function rangesThrough(hashing: RangeHashing): Promise<LeafRangeResult[]> {
    const reader = new SqliteLeafRangeReader(join(app!.config.dataDir, SQLITE_FILE));
    try {
      return await Promise.all([0, 2, 4, 6].map((fromIndex) => checkLeafRange(reader, { fromIndex, count: 2 }, hashing)));
    } finally {
      reader.close();
    }
  }

  it('finds every range of an untouched log matching, and comes to the stored root', async () => {
    const { storage, tree, workers } = await historyApp();
    const results = await rangeResults(workers);
    expect(results.map((result) => result.matches)).toEqual([true, true, true, true]);
    expect(await rangesThrough(nodeCryptoHashing)).toEqual(results);
    const head = (await app!.get('/v1/audit/tree-head')).body;
    expect(await verifyLog(storage.eventStore, tree, { workers, rangeLeaves: 2 })).toEqual({ ok: true, treeSize: 8, rootHash: head.rootHash });
    // Workers asked to hash through node:crypto.
    const nodeCryptoWorkers = new LeafRangeWorkers(sqliteSource(storage), 1, 'node:crypto');
    try {
      expect(await rangeResults(nodeCryptoWorkers)).toEqual(results);
    } finally {
      await nodeCryptoWorkers.close();
    }
  });

  it.each(SCENARIOS)('reports $name (position $position) exactly as the one-thread pass does', async ({ tamper, position, reason }) => {
    const { storage, tree, workers } = await historyApp();
    await tamperWith(tamper);
    // The ranges before the damaged leaf still match; the one holding it does not.
    const matches = (await rangeResults(workers)).map((result) => result.matches);
    const damaged = Math.floor((position - 1) / 2);
    expect(matches.slice(0, damaged)).toEqual(Array(damaged).fill(true));
    expect(matches[damaged]).toBe(false);
    // Hashing through node:crypto, where the addon is not built, comes to the same range results.
    expect(await rangesThrough(nodeCryptoHashing)).toEqual(await rangesThrough(rangeHashing));

    const oneThread = await verifyLog(storage.eventStore, tree);
    expect(oneThread.firstMismatch).toEqual(expect.objectContaining({ position, reason }));
    expect(await verifyLog(storage.eventStore, tree, { workers, rangeLeaves: 2 })).toEqual(oneThread);
  });

  it.each([
    ['position', 'UPDATE audit_leaves SET position = position + 100 WHERE leaf_index = 4'],
    ['hash', "UPDATE audit_leaves SET hash = replace(hash, substr(hash, 1, 1), CASE substr(hash, 1, 1) WHEN '0' THEN '1' ELSE '0' END) WHERE leaf_index = 5"],
    ['hash (to the same hex in capitals)', 'UPDATE audit_leaves SET hash = upper(hash) WHERE leaf_index = 5'],
  ])('finds a stored leaf whose %s was changed, as the one-thread pass does', async (_, update) => {
    const { storage, tree, workers } = await historyApp();
    await tamperWith((raw) => raw.run(update));
    expect((await rangeResults(workers)).map((result) => result.matches)).toEqual([true, true, false, true]);
    const oneThread = await verifyLog(storage.eventStore, tree);
    expect(oneThread.ok).toBe(false);
    expect(await verifyLog(storage.eventStore, tree, { workers, rangeLeaves: 2 })).toEqual(oneThread);
  });

  it('checks rows stored as other JSON text one by one in the workers, and verifies them clean', async () => {
    const { storage, tree, workers } = await historyApp();
    await tamperWith(rewriteAsOtherJson);
    expect((await rangeResults(workers)).map((result) => result.matches)).toEqual([true, true, true, true]);
    const head = (await app!.get('/v1/audit/tree-head')).body;
    expect(await verifyLog(storage.eventStore, tree, { workers, rangeLeaves: 2 })).toEqual({ ok: true, treeSize: 8, rootHash: head.rootHash });
  });

  it('reads rows one by one only for a range whose leaves, put together by SQLite, do not all hash as stored', async () => {
    await historyApp();
    const reader = new SqliteLeafRangeReader(join(app!.config.dataDir, SQLITE_FILE));
    try {
      const oneByOne = jest.spyOn(reader, 'eventTexts');
      expect((await checkLeafRange(reader, { fromIndex: 0, count: 8 })).matches).toBe(true);
      expect(oneByOne).not.toHaveBeenCalled();
      // Other JSON text for the same values in the first row: that range is checked one by one, and matches.
      await tamperWith(async (raw) => {
        const [row] = await raw.rows('SELECT data FROM events WHERE position = 1');
        await raw.run('UPDATE events SET data = ? WHERE position = 1', JSON.stringify(JSON.parse(String(row.data)), null, 2));
      });
      expect((await checkLeafRange(reader, { fromIndex: 4, count: 4 })).matches).toBe(true);
      expect(oneByOne).not.toHaveBeenCalled();
      expect(await checkLeafRange(reader, { fromIndex: 0, count: 4 })).toEqual(expect.objectContaining({ matches: true, lastPosition: '4' }));
      expect(oneByOne).toHaveBeenCalledTimes(1);
    } finally {
      reader.close();
    }
  });

  it('checks one caller at a time, and stops sending ranges once told to', async () => {
    const { workers } = await historyApp();
    const ranges = [0, 2, 4, 6].map((fromIndex) => ({ fromIndex, count: 2 }));
    const seen: number[][] = [[], []];
    await Promise.all(
      [0, 1].map((caller) =>
        workers.check(ranges, (result) => {
          seen[caller].push(result.fromIndex);
          return caller === 1 || result.fromIndex < 2;
        }),
      ),
    );
    // The first caller stopped after its second range; the second, served after it, got all four in order.
    expect(seen).toEqual([
      [0, 2],
      [0, 2, 4, 6],
    ]);
    // And the pool still answers afterwards, after a close too (it starts again).
    await workers.close();
    expect((await rangeResults(workers)).every((result) => result.matches)).toBe(true);
  });

  it('goes on on one thread from where the workers got to when they fail, and says so', async () => {
    const { storage, tree } = await historyApp();
    await tamperWith((raw) => raw.run("UPDATE events SET type = 'Forged' WHERE position = 7"));
    const oneThread = await verifyLog(storage.eventStore, tree);
    expect(oneThread.firstMismatch).toEqual(expect.objectContaining({ position: 7, reason: 'leaf-hash' }));
    /** Workers that check the first range, then fail. */
    class FailingAfterOneRange extends LeafRangeWorkers {
      override async check(ranges: readonly LeafRange[], onResult: (result: LeafRangeResult) => boolean): Promise<void> {
        await super.check(ranges.slice(0, 1), onResult);
        throw new Error('a verify worker stopped (exit code 1)');
      }
    }
    const failing = new FailingAfterOneRange(sqliteSource(storage), 2);
    const reads = jest.spyOn(storage.eventStore, 'readAllText');
    const failures: unknown[] = [];
    const onWorkersFailed = (error: unknown) => failures.push(error);
    try {
      expect(await verifyLog(storage.eventStore, tree, { workers: failing, rangeLeaves: 2, onWorkersFailed })).toEqual(oneThread);
      // This thread read on from after the first range (leaves 0 and 1: positions 1 and 2).
      expect(reads.mock.calls[0][0]).toEqual(expect.objectContaining({ after: 2n }));
      expect(failures).toEqual([expect.objectContaining({ message: 'a verify worker stopped (exit code 1)' })]);
      // Without a callback, the failure fails verify.
      await expect(verifyLog(storage.eventStore, tree, { workers: failing, rangeLeaves: 2 })).rejects.toThrow('a verify worker stopped');
    } finally {
      reads.mockRestore();
      await failing.close();
    }

    // Workers that cannot even open the store.
    const unopenable = new LeafRangeWorkers({ kind: 'sqlite', file: join(app!.config.dataDir, 'no-such-file.sqlite') }, 2);
    try {
      failures.length = 0;
      expect(await verifyLog(storage.eventStore, tree, { workers: unopenable, rangeLeaves: 2, onWorkersFailed })).toEqual(oneThread);
      expect(failures).toHaveLength(1);
    } finally {
      await unopenable.close();
    }
  });

  it('starts a fresh pool when a worker stopped between two checks', async () => {
    const { workers } = await historyApp();
    expect((await rangeResults(workers)).every((result) => result.matches)).toBe(true);
    const [first] = (workers as unknown as { workers: Worker[] }).workers;
    await first.terminate();
    expect((await rangeResults(workers)).every((result) => result.matches)).toBe(true);
  });
});
