import Database from 'better-sqlite3';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SQLITE_FILE } from '../../src/bootstrap/open-storage';
import { aClaim, aDevelopment, aSource } from '../support/builders';
import { startTestApp, TestApp } from '../support/test-app';

const REPO = resolve(__dirname, '../..');

const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
    probe.once('error', reject);
  });

/** The server as `npm start` runs it (main.ts), on `dataDir`, once it listens on `port`. */
function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'src/main.ts'], {
    cwd: REPO,
    env: { ...process.env, TIMELINE_DATA_DIR: dataDir, TIMELINE_EVENT_STORE: 'sqlite', PORT: String(port), HOST: '127.0.0.1', TIMELINE_SEED: 'none', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveChild, reject) => {
    let errors = '';
    child.stderr!.on('data', (chunk) => (errors += String(chunk)));
    child.stdout!.on('data', (chunk) => String(chunk).includes('listening') && resolveChild(child));
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${errors}`)));
  });
}

async function post(base: string, path: string, body: unknown): Promise<{ position: number }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { position: number };
}

/** What the file holds, read as the next process finds it (before anything catches up). */
function stored(dataDir: string) {
  const db = new Database(join(dataDir, SQLITE_FILE));
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      head: count('SELECT max(position) AS n FROM events'),
      checkpoints: Object.fromEntries((db.prepare('SELECT projection, position FROM projection_checkpoints').all() as { projection: string; position: number }[]).map((row) => [row.projection, Number(row.position)])),
      events: count('SELECT count(*) AS n FROM events'),
      leaves: count('SELECT count(*) AS n FROM audit_leaves'),
      claimEvents: count(`SELECT count(*) AS n FROM events WHERE type = 'ClaimReported'`),
      claims: count('SELECT count(DISTINCT claim_id) AS n FROM claim_versions'),
    };
  } finally {
    db.close();
  }
}

describe('a server killed with kill -9 while 8 writers post claims (the embedded store)', () => {
  let dataDir: string;
  let server: ChildProcess | undefined;
  let app: TestApp | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'timeline-kill-'));
  });

  afterEach(async () => {
    server?.kill('SIGKILL');
    await app?.close();
    app = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the projections’ rows committed with the events they follow, and every acknowledged claim there after the restart', async () => {
    const port = await freePort();
    server = await startServer(dataDir, port);
    const base = `http://127.0.0.1:${port}`;
    await post(base, '/v1/sources', aSource());
    const developments = Array.from({ length: 8 }, (_, i) => `killed-${i}`);
    for (const id of developments) await post(base, '/v1/developments', aDevelopment({ id }));

    const acknowledged: number[] = [];
    const failures: unknown[] = [];
    const writers = developments.map(async (id) => {
      // Until the kill closes the connection.
      try {
        for (;;) acknowledged.push((await post(base, `/v1/developments/${id}/claims`, aClaim({ quote: `on ${id}` }))).position);
      } catch (error) {
        failures.push(error);
      }
    });
    while (acknowledged.length < 80 && failures.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(failures).toEqual([]);
    const exited = new Promise((resolveExit) => server!.once('exit', (_code, signal) => resolveExit(signal)));
    server.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    server = undefined;
    await Promise.all(writers);

    // One transaction stored each write and its rows: no projection is behind the log it left.
    const found = stored(dataDir);
    expect(found.head).toBeGreaterThanOrEqual(Math.max(...acknowledged));
    expect(found.checkpoints).toEqual({ 'audit-merkle': found.head, knowledge: found.head });
    expect(found.leaves).toBe(found.events);
    expect(found.claims).toBe(found.claimEvents);

    // The next server answers every acknowledged claim.
    app = await startTestApp({ dataDir, env: { TIMELINE_EVENT_STORE: 'sqlite' } });
    const claims = await Promise.all(developments.map(async (id) => (await app!.get(`/v1/developments/${id}`)).body.claims.length));
    expect(claims.reduce((a, b) => a + b, 0)).toBe(found.claimEvents);
    expect(found.claimEvents).toBeGreaterThanOrEqual(acknowledged.length + developments.length);
  }, 120_000);
});
