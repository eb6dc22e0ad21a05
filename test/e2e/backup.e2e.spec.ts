import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SQLITE_FILE } from '../../src/bootstrap/open-storage';
import { runCli } from '../audit/support/cli';
import { aClaim, aDevelopment, aSource, created } from '../support/builders';
import { startTestApp, TestApp } from '../support/test-app';

const REPO = resolve(__dirname, '../..');

/** `npm run cli -- backup ...` in its own process, without blocking this one (its writers go on). */
function backupInBackground(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/cli/timeline.cli.ts', 'backup', ...args], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolveRun) => child.once('exit', (status) => resolveRun({ status, stdout, stderr })));
}

type LogEvent = { position: number; eventId: string; data: unknown };

async function log(app: TestApp): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  for (let after = 0; ; ) {
    const page = (await app.get(`/v1/events?after=${after}&limit=1000`)).body;
    if (page.items.length === 0) return events;
    events.push(...page.items.map(({ position, eventId, data }: LogEvent) => ({ position, eventId, data })));
    after = page.last;
  }
}

describe('npm run cli -- backup (the embedded store)', () => {
  let root: string;
  let app: TestApp | undefined;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'timeline-backup-'));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  it('copies the store while writers go on, and a restore into a new data dir passes verify and holds every event acknowledged before the backup began', async () => {
    const dataDir = join(root, 'live');
    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    const live = app;
    created(await live.post('/v1/sources', aSource()));
    const developments = ['north', 'south', 'east'];
    for (const id of developments) created(await live.post('/v1/developments', aDevelopment({ id, title: `Spill ${id}` })));

    const acknowledged: number[] = [];
    let writing = true;
    const writers = developments.map(async (id) => {
      for (let day = 1; writing; day++) {
        const claim = aClaim({ stance: 'confirms', reportedAt: `2025-04-${String((day % 28) + 1).padStart(2, '0')}` });
        acknowledged.push(created(await live.post(`/v1/developments/${id}/claims`, claim)).position);
      }
    });
    while (acknowledged.length < 30) await new Promise((r) => setTimeout(r, 10));

    const beforeBackup = [...acknowledged];
    const target = join(root, 'backup.sqlite');
    const backup = await backupInBackground([target], { TIMELINE_DATA_DIR: dataDir, TIMELINE_EVENT_STORE: 'sqlite' });
    const duringBackup = acknowledged.length - beforeBackup.length;
    writing = false;
    await Promise.all(writers);

    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    expect(JSON.parse(backup.stdout)).toEqual({ backup: target, pages: expect.any(Number) });
    expect(duringBackup).toBeGreaterThan(0);
    expect(existsSync(`${target}.partial`)).toBe(false);

    // Restore: the copy is the new data dir's timeline.sqlite.
    const restoredDir = join(root, 'restored');
    mkdirSync(restoredDir);
    copyFileSync(target, join(restoredDir, SQLITE_FILE));
    const verify = runCli('timeline', ['verify'], { TIMELINE_DATA_DIR: restoredDir, TIMELINE_EVENT_STORE: 'sqlite' });
    expect(verify.stderr).toBe('');
    expect(JSON.parse(verify.stdout)).toEqual(expect.objectContaining({ ok: true }));

    const original = await log(live);
    await live.close();
    app = await startTestApp({ dataDir: restoredDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    const restored = await log(app);
    // A prefix of the original log, holding every event acknowledged before the backup began.
    expect(restored).toEqual(original.slice(0, restored.length));
    expect(restored.length).toBeGreaterThanOrEqual(Math.max(...beforeBackup));
  }, 120_000);

  it('refuses to overwrite an existing file without --force, and overwrites it with --force', async () => {
    const dataDir = join(root, 'live');
    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    created(await app.post('/v1/sources', aSource()));
    const target = join(root, 'precious.txt');
    writeFileSync(target, 'not a backup');
    const env = { TIMELINE_DATA_DIR: dataDir, TIMELINE_EVENT_STORE: 'sqlite' };

    const refused = runCli('timeline', ['backup', target], env);

    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([`timeline backup: refused: ${target} exists; pass --force to overwrite it`]);
    expect(readFileSync(target, 'utf8')).toBe('not a backup');

    const forced = runCli('timeline', ['backup', target, '--force'], env);
    expect(forced.status).toBe(0);
    expect(readFileSync(target).subarray(0, 15).toString()).toBe('SQLite format 3');
  }, 60_000);

  it('refuses to write over the store it backs up, even with --force and another spelling of its path', async () => {
    const dataDir = join(root, 'live');
    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    created(await app.post('/v1/sources', aSource()));
    const env = { TIMELINE_DATA_DIR: dataDir, TIMELINE_EVENT_STORE: 'sqlite' };

    for (const target of [join(dataDir, 'timeline.sqlite'), join(dataDir, '..', 'live', 'timeline.sqlite-wal')]) {
      const refused = runCli('timeline', ['backup', target, '--force'], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim().split('\n')).toEqual([`timeline backup: refused: ${target} is the store being backed up; choose another file`]);
    }
    created(await app.post('/v1/sources', aSource({ id: 'after-the-refusal' })));
  }, 60_000);

  it('refuses on PostgreSQL with one line pointing to pg_dump', () => {
    const refused = runCli('timeline', ['backup', join(root, 'pg.backup')], { TIMELINE_EVENT_STORE: 'postgres', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });

    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^timeline: configuration error: TIMELINE_EVENT_STORE: .*pg_dump/)]);
    expect(existsSync(join(root, 'pg.backup'))).toBe(false);
  }, 60_000);
});
