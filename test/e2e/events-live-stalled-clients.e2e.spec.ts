import { ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { IncomingHttpHeaders, get } from 'node:http';
import { Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { aDevelopment, aSource, created } from '../support/builders';
import { startTestApp } from '../support/test-app';

/**
 * 1,100 clients open `/v1/events/live`, each after a different position of a log of 6,000 events
 * (~8 MB), and never read. The server runs in a child process so its memory is its own:
 * /proc/<pid>/status gives its peak resident set (VmHWM), with no jest or client sockets in it.
 *
 * The bound: a stalled stream holds its write buffer (64 KiB, as bytes), the rest of its catch-up
 * page (at most 32 KiB of event text) and its socket, request and subscription (~20 KiB): ~120 MB
 * for 1,100. V8 lets the garbage of 1,100 concurrent catch-ups build up before it collects
 * (~250 MB here), so the bound over the idle server is 500 MB. Before pages were bounded in bytes
 * each stream pinned a page of 500 events and its text as a 3x-sized copy: 1.8 GB.
 */

const CLIENTS = 1100;
const RSS_GROWTH_BOUND_MB = 500;
const ROOT = resolve(__dirname, '../..');

/** A development of ~2 KB and its claim of ~0.7 KB (data and metadata): a real report with a summary and a quote. */
const aLongDevelopment = (i: number) =>
  aDevelopment({
    id: `incident-${i}`,
    title: `Incident ${i} in the outer harbour`,
    summary: `Report ${i}: `.padEnd(1600, 'fuel oil seen along the breakwater, booms deployed, crews at work; '),
    actors: ['MT Nordlys', 'Vestby Port Authority', 'Norwegian Coastal Administration'],
    claim: { sourceId: 'harbour-watch', stance: 'asserts', reportedAt: '2025-03-05', quote: 'The slick is spreading south. '.repeat(12) },
  });

const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });

/** Resident set now and at its peak, in MB, from the kernel's accounting of the process. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** `node src/main.ts` (transpiled on load) on `dataDir`, resolved once it listens. */
function startServer(dataDir: string, port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, TIMELINE_DATA_DIR: dataDir, TIMELINE_SEED: 'none', LOG_LEVEL: 'error', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((done, fail) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`the server did not start within 30 s: ${output}`)), 30_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('listening on')) return;
      clearTimeout(timer);
      done(child);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.on('exit', (code) => fail(new Error(`the server exited (${code}): ${output}`)));
  });
}

/** Sends the request, takes the first chunk of the answer (its status line), then reads nothing more. */
function stalledClient(port: number, path: string): Promise<{ socket: Socket; status: number }> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('error', fail);
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`));
    socket.once('data', (chunk: Buffer) => {
      // Paused, the socket stops reading once its small buffer is full: the server's writes back up.
      socket.pause();
      done({ socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1]) });
    });
  });
}

/** A whole (short) answer: for requests that are refused or answered at once. */
function answer(port: number, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: any }> {
  return new Promise((done, fail) => {
    const request = get({ host: '127.0.0.1', port, path, agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, headers: response.headers, body: text ? JSON.parse(text) : undefined }));
    });
    request.on('error', fail);
    request.setTimeout(10_000, () => request.destroy(new Error(`no answer to ${path} within 10 s`)));
  });
}

describe('GET /v1/events/live with 1,100 clients that never read', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'timeline-stalled-'));
  let server: ChildProcess | undefined;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Client and server each hold a descriptor per connection.
    const descriptors = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
    if (descriptors < 2 * CLIENTS + 500) throw new Error(`this test needs ulimit -n of at least ${2 * CLIENTS + 500}, not ${descriptors}`);
    const seeding = await startTestApp({ dataDir });
    try {
      created(await seeding.post('/v1/sources', aSource()));
      // Twenty at a time: appends are serialised, but their waits for the read models overlap.
      for (let i = 0; i < 3000; i += 20) {
        const written = await Promise.all(Array.from({ length: 20 }, (_, j) => seeding.post('/v1/developments', aLongDevelopment(i + j))));
        written.forEach(created);
      }
    } finally {
      await seeding.close();
    }
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    if (server && server.exitCode === null) {
      const exited = new Promise((done) => server!.once('exit', done));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`holds the server under ${RSS_GROWTH_BOUND_MB} MB more than idle, keeps /health answering, and answers one stream past the cap 503 with Retry-After`, async () => {
    const port = await freePort();
    server = await startServer(dataDir, port, {
      TIMELINE_SSE_MAX_STREAMS: String(CLIENTS),
      TIMELINE_SSE_MAX_STREAMS_PER_CLIENT: String(2 * CLIENTS),
      // A stalled stream is dropped after twice the heartbeat (30 s by default), about as long as this
      // test takes on a busy machine: a dropped one would free a slot and let the stream past the cap
      // in (that answer never ends). Held for the test's length, every stalled stream counts.
      TIMELINE_SSE_HEARTBEAT_MS: '300000',
    });
    const log = await answer(port, '/v1/events?limit=1');
    expect(log.status).toBe(200);
    expect((await answer(port, '/health')).status).toBe(200);
    const idle = memoryOf(server.pid!);

    for (let i = 0; i < CLIENTS; i += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, (_, j) => stalledClient(port, `/v1/events/live?after=${i + j}`)));
      sockets.push(...batch.map((client) => client.socket));
      expect(batch.map((client) => client.status)).toEqual(batch.map(() => 200));
    }
    // Each stream writes until its socket backs up; the server must stay responsive meanwhile.
    for (let round = 0; round < 10; round++) {
      const health = await answer(port, '/health');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('ok');
      await new Promise((done) => setTimeout(done, 200));
    }

    expect(memoryOf(server.pid!).peakMb - idle.rssMb).toBeLessThan(RSS_GROWTH_BOUND_MB);

    const refused = await answer(port, '/v1/events/live?after=0');
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ status: 503, type: 'https://timeline.dev/problems/live-streams-full' });
  }, 60_000);
});
