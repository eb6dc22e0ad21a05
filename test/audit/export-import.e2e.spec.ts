import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditProjection } from '../../src/projections/audit.projection';
import { AuditTree } from '../../src/audit/audit-tree';
import { verifyExport } from '../../src/audit/export-verifier';
import { auditLeafHash } from '../../src/audit/audit-leaf';
import { ImportClock, ImportRefusedError, importLog } from '../../src/audit/log-import';
import { toHex } from '../../src/audit/merkle/merkle-hash';
import { fileLines } from '../../src/audit/ndjson-file';
import { catchUp } from '../../src/cli/catch-up';
import { openStorage } from '../../src/bootstrap/open-storage';
import { storedEventJson } from '../../src/event-store/stored-event-json';
import { ManualClock, aClaim, aManualClock, aSource, created } from '../support/builders';
import { TestApp, startTestApp } from '../support/test-app';
import { loggedEvents, writeHistory } from './support/history';
import { runCli } from './support/cli';

/** Rewrites line `index` of an export (0 is the header). */
function editLine(text: string, index: number, edit: (line: any) => void): string {
  const lines = text.trim().split('\n');
  const line = JSON.parse(lines[index]);
  edit(line);
  lines[index] = JSON.stringify(line);
  return `${lines.join('\n')}\n`;
}

describe('export, import and the standalone verifier', () => {
  let app: TestApp;
  let clock: ManualClock;
  let dir: string;
  let exportText: string;
  const file = (name: string, text?: string) => {
    const path = join(dir, name);
    if (text !== undefined) writeFileSync(path, text);
    return path;
  };
  const emptyStore = (name: string) => {
    const clockOfImport = new ImportClock();
    return { clock: clockOfImport, open: () => openStorage({ dataDir: join(dir, name), eventStore: 'sqlite' }, clockOfImport) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'timeline-export-'));
    clock = aManualClock();
    app = await startTestApp({ clock });
    await writeHistory(app, clock);
    exportText = (await app.get('/v1/audit/export')).text;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports an export into an empty store, event for event, with the same tree', async () => {
    const target = emptyStore('imported');
    const storage = await target.open();
    try {
      const report = await importLog(() => fileLines(file('good.ndjson', exportText)), storage.eventStore, target.clock);
      expect(report).toEqual(expect.objectContaining({ ok: true, events: 8 }));
      expect((await storage.eventStore.readAll()).map(storedEventJson)).toEqual(await loggedEvents(app));
      const running = await catchUp(storage, [new AuditProjection()]);
      await running.stop();
      const tree = new AuditTree(storage.readModel);
      expect(toHex(await tree.root(8))).toBe(report.treeHead?.rootHash);
    } finally {
      await storage.close();
    }
  });

  it.each([
    ['an edited event', (text: string) => editLine(text, 4, (line) => (line.event.data.quote = 'forged'))],
    ['an edited event with its leaf hash recomputed', (text: string) => editLine(text, 4, (line) => {
      line.event.data.quote = 'forged';
      line.leafHash = toHex(auditLeafHash(line.event));
    })],
    ['a deleted event', (text: string) => text.split('\n').filter((_, i) => i !== 3).join('\n')],
    ['a forged signature', (text: string) => editLine(text, 0, (line) => (line.treeHead.treeSize = 7))],
  ])('refuses an export with %s and stores nothing from it', async (_name, tamper) => {
    const target = emptyStore(`refused-${_name.replace(/\W+/g, '-')}`);
    const storage = await target.open();
    try {
      const path = file('tampered.ndjson', tamper(exportText));
      await expect(importLog(() => fileLines(path), storage.eventStore, target.clock)).rejects.toBeInstanceOf(ImportRefusedError);
      expect(await storage.eventStore.headPosition()).toBe(0n);
    } finally {
      await storage.close();
    }
  });

  it('imports with `npm run cli -- import`, and refuses a tampered file there too', () => {
    const good = runCli('timeline', ['import', file('cli.ndjson', exportText)], { TIMELINE_DATA_DIR: join(dir, 'cli-good') });
    expect(good.status).toBe(0);
    expect(JSON.parse(good.stdout)).toEqual(expect.objectContaining({ imported: 8, treeSize: 8, matchesSignedHead: true }));
    const tampered = file('cli-bad.ndjson', editLine(exportText, 2, (line) => (line.event.recordedAt = '2020-01-01T00:00:00.000Z')));
    const bad = runCli('timeline', ['import', tampered], { TIMELINE_DATA_DIR: join(dir, 'cli-bad') });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/refused.*nothing was stored/);
    const verify = runCli('timeline', ['verify'], { TIMELINE_DATA_DIR: join(dir, 'cli-bad') });
    expect(JSON.parse(verify.stdout)).toEqual(expect.objectContaining({ ok: true, treeSize: 0 }));
  }, 90_000);

  it('verifies a good export and names the first bad event of a tampered one, with no server or database', async () => {
    expect(await verifyExport(exportText.trim().split('\n'))).toEqual(expect.objectContaining({ ok: true, events: 8 }));
    const tampered = await verifyExport(editLine(exportText, 6, (line) => (line.event.data.reason = 'forged')).trim().split('\n'));
    expect(tampered).toEqual(expect.objectContaining({ ok: false, problem: expect.objectContaining({ line: 7, leafIndex: 5, position: 6 }) }));
    const head = JSON.parse(exportText.split('\n')[0]).treeHead;
    const otherKey = await verifyExport(exportText.trim().split('\n'), { trustedPublicKey: 'MCowBQYDK2VwAyEA' + 'A'.repeat(43) + '=' });
    expect(otherKey.ok).toBe(false);
    expect((await verifyExport(exportText.trim().split('\n'), { trustedPublicKey: head.publicKey })).ok).toBe(true);
  });

  it('checks a later export against a tree head the auditor saved earlier (consistency)', async () => {
    const saved = (await app.get('/v1/audit/tree-head')).body;
    clock.advance();
    created(await app.post('/v1/developments/pier-fire/claims', aClaim({ sourceId: 'coast-guard', reportedAt: '2025-03-09' })));
    const later = (await app.get('/v1/audit/export')).text;
    const report = await verifyExport(later.trim().split('\n'), { savedHead: saved });
    expect(report).toEqual(expect.objectContaining({ ok: true, events: 9, consistentWithSavedHead: true }));

    // Another log, validly signed, that does not extend the saved one: a rewritten history.
    const otherClock = aManualClock();
    const other = await startTestApp({ clock: otherClock });
    try {
      await writeHistory(other, otherClock);
      otherClock.advance();
      created(await other.post('/v1/sources', aSource({ id: 'late-source', name: 'Late Source' })));
      const rewritten = (await other.get('/v1/audit/export')).text;
      const refused = await verifyExport(rewritten.trim().split('\n'), { savedHead: saved });
      expect(refused).toEqual(expect.objectContaining({ ok: false, consistentWithSavedHead: false }));
    } finally {
      await other.close();
    }

    // The same through `npm run verify-export`.
    const headFile = file('saved-head.json', JSON.stringify(saved));
    expect(runCli('verify-export', [file('later.ndjson', later), '--head', headFile]).status).toBe(0);
    const bad = runCli('verify-export', [file('later-bad.ndjson', editLine(later, 9, (line) => (line.event.data.stance = 'denies')))]);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout).problem).toEqual(expect.objectContaining({ position: 9 }));
  }, 90_000);
});
