import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditProjection } from '../../src/projections/audit.projection';
import { AuditTree } from '../../src/audit/audit-tree';
import { ImportClock, ImportRefusedError, importLog } from '../../src/audit/log-import';
import { verifyLog } from '../../src/audit/verify/log-verifier';
import { fileLines } from '../../src/audit/ndjson-file';
import { catchUp } from '../../src/cli/catch-up';
import { checkLeafRange } from '../../src/audit/verify/leaf-ranges';
import { PostgresLeafRangeReader, PostgresLeafRanges } from '../../src/audit/verify/postgres-leaf-ranges';
import { STORAGE, Storage, openStorage } from '../../src/bootstrap/open-storage';
import { storedEventJson } from '../../src/event-store/stored-event-json';
import { aManualClock } from '../support/builders';
import { aPostgresSchema, describeWithPostgres } from '../support/postgres';
import { startTestApp } from '../support/test-app';
import { loggedEvents, writeHistory } from './support/history';
import { rawLog, rewriteAsOtherJson } from './support/raw-log';
import { tamperDetectionTests } from './support/tamper-scenarios';

describeWithPostgres('tampering with the PostgreSQL log is detected', () => {
  tamperDetectionTests(async () => {
    const schema = await aPostgresSchema();
    return { env: { TIMELINE_EVENT_STORE: 'postgres', DATABASE_URL: schema.url }, cleanup: () => schema.drop() };
  });
});

describeWithPostgres("verify's range checks on PostgreSQL", () => {
  it('hash the leaves the server puts together, and read rows one by one only for ranges whose leaves do not all hash as stored', async () => {
    const schema = await aPostgresSchema();
    const clock = aManualClock();
    const app = await startTestApp({ clock, env: { TIMELINE_EVENT_STORE: 'postgres', DATABASE_URL: schema.url } });
    const oneByOne = jest.spyOn(PostgresLeafRangeReader.prototype, 'eventTexts');
    try {
      await writeHistory(app, clock);
      const source = app.app.get<Storage>(STORAGE, { strict: false }).leafRanges;
      if (source?.kind !== 'postgres') throw new Error('the PostgreSQL store gave no pool for range checks');
      const checker = new PostgresLeafRanges(source.pool, 2);
      const matches = async () => {
        const results: boolean[] = [];
        await checker.check([0, 2, 4, 6].map((fromIndex) => ({ fromIndex, count: 2 })), (result) => results.push(result.matches) > 0);
        return results;
      };
      expect(await matches()).toEqual([true, true, true, true]);
      expect(oneByOne).not.toHaveBeenCalled();
      const raw = await rawLog(app.config);
      try {
        await rewriteAsOtherJson(raw);
      } finally {
        await raw.close();
      }
      expect(await matches()).toEqual([true, true, true, true]);
      expect(oneByOne).toHaveBeenCalled();

      // A range whose leaves are longer than one text may be is read one by one.
      oneByOne.mockClear();
      const reader = new PostgresLeafRangeReader(source.pool, 100);
      expect(await reader.eventLeaves('2', 2)).toBeUndefined();
      expect(await checkLeafRange(reader, { fromIndex: 2, count: 2 })).toEqual(expect.objectContaining({ matches: true, lastPosition: '4' }));
      expect(oneByOne).toHaveBeenCalledTimes(1);
    } finally {
      oneByOne.mockRestore();
      await app.close();
      await schema.drop();
    }
  });
});

describeWithPostgres('an export from SQLite imported into an empty PostgreSQL store', () => {
  it('stores every event as it was, with the same tree, and refuses a tampered export', async () => {
    const clock = aManualClock();
    const app = await startTestApp({ clock });
    const dir = mkdtempSync(join(tmpdir(), 'timeline-pg-import-'));
    const schema = await aPostgresSchema();
    const importClock = new ImportClock();
    const storage = await openStorage({ dataDir: dir, eventStore: 'postgres', databaseUrl: schema.url }, importClock);
    try {
      await writeHistory(app, clock);
      const text = (await app.get('/v1/audit/export')).text;
      const tampered = join(dir, 'tampered.ndjson');
      writeFileSync(tampered, text.replace('"stance":"confirms"', '"stance":"denies"'));
      await expect(importLog(() => fileLines(tampered), storage.eventStore, importClock)).rejects.toBeInstanceOf(ImportRefusedError);
      expect(await storage.eventStore.headPosition()).toBe(0n);

      const good = join(dir, 'good.ndjson');
      writeFileSync(good, text);
      const report = await importLog(() => fileLines(good), storage.eventStore, importClock);
      expect((await storage.eventStore.readAll()).map(storedEventJson)).toEqual(await loggedEvents(app));
      const running = await catchUp(storage, [new AuditProjection()]);
      await running.stop();
      expect(await verifyLog(storage.eventStore, new AuditTree(storage.readModel))).toEqual({ ok: true, treeSize: 8, rootHash: report.treeHead?.rootHash });
    } finally {
      await storage.close();
      await schema.drop();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
