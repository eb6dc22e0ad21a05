import Database from 'better-sqlite3';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SQLITE_FILE } from '../../src/bootstrap/open-storage';
import { runCli } from '../audit/support/cli';
import { aDevelopment, aSource, created, expectProblem, headPosition } from '../support/builders';
import { startTestApp, TestApp } from '../support/test-app';

const REPO = resolve(__dirname, '../..');
const TS_NODE = [require.resolve('ts-node/dist/bin'), '--transpile-only'];

/** The server as `npm start` runs it (main.ts), on `dataDir`, until it exits. */
function runServer(dataDir: string) {
  return spawnSync(process.execPath, [...TS_NODE, 'src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, TIMELINE_DATA_DIR: dataDir, TIMELINE_EVENT_STORE: 'sqlite', PORT: '0', TIMELINE_SEED: 'none', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** A process that opens the store on `dataDir` (taking its lock) and says so, then idles until killed. */
function holdDataDir(dataDir: string): Promise<ChildProcess> {
  const script = `
    const { openStorage } = require('./src/bootstrap/open-storage');
    openStorage({ dataDir: process.argv[1], eventStore: 'sqlite' }, { now: () => Date.now() })
      .then(() => { process.stdout.write('open\\n'); setInterval(() => undefined, 1 << 30); })
      .catch((error) => { process.stderr.write(String(error)); process.exit(1); });
  `;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, dataDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolveChild, reject) => {
    let errors = '';
    child.stderr!.on('data', (chunk) => (errors += String(chunk)));
    child.stdout!.on('data', (chunk) => String(chunk).includes('open') && resolveChild(child));
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}): ${errors}`)));
  });
}

describe('one process per data dir', () => {
  let dataDir: string;
  let app: TestApp | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'timeline-lock-'));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start a second server on a data dir a running one holds, with one line naming the data dir and exit code 2', async () => {
    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });

    const second = runServer(dataDir);

    expect(second.status).toBe(2);
    expect(second.stdout).toBe('');
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringContaining(`TIMELINE_DATA_DIR: ${dataDir} is in use by another Timeline process`)]);
    // The first one goes on serving.
    expect((await app.post('/v1/sources', aSource())).status).toBe(201);
  }, 90_000);

  it('takes the data dir over once the process holding it is killed with kill -9 (no stale lock)', async () => {
    const holder = await holdDataDir(dataDir);
    try {
      await expect(startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } })).rejects.toThrow(`${dataDir} is in use by another Timeline process`);
    } finally {
      const exited = new Promise((resolveExit) => holder.once('exit', (_code, signal) => resolveExit(signal)));
      holder.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    }

    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    expect((await app.post('/v1/sources', aSource())).status).toBe(201);
  }, 90_000);

  it('lets the CLI verify beside a running server but refuses an import, which appends, with one line naming the data dir', async () => {
    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    created(await app.post('/v1/sources', aSource()));
    created(await app.post('/v1/developments', aDevelopment()));

    const verify = runCli('timeline', ['verify'], { TIMELINE_DATA_DIR: dataDir, TIMELINE_EVENT_STORE: 'sqlite' });
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout)).toEqual(expect.objectContaining({ ok: true, treeSize: 3 }));

    const imported = runCli('timeline', ['import', join(dataDir, 'no-such-export.ndjson')], { TIMELINE_DATA_DIR: dataDir, TIMELINE_EVENT_STORE: 'sqlite' });
    expect(imported.status).toBe(2);
    expect(imported.stderr.trim().split('\n')).toEqual([expect.stringContaining(`TIMELINE_DATA_DIR: ${dataDir} is in use by another Timeline process`)]);
    // The server still writes after the CLI's catch-up wrote beside it.
    expect((await app.post('/v1/developments', aDevelopment({ id: 'second' }))).status).toBe(201);
  }, 120_000);

  it('answers 503 with Retry-After, never 500, and stores nothing, while another connection holds the write lock', async () => {
    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    created(await app.post('/v1/sources', aSource()));
    const before = await headPosition(app);
    const other = new Database(join(dataDir, SQLITE_FILE));
    try {
      other.exec('BEGIN IMMEDIATE');
      const busy = await app.post('/v1/developments', aDevelopment());
      expectProblem(busy, 503);
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.body.detail).toMatch(/busy/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await headPosition(app)).toBe(before);
    expect((await app.post('/v1/developments', aDevelopment())).status).toBe(201);
  }, 60_000);
});
