import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RunResources, numberEnv } from '../harness';
import { BENCH_DATABASE_URL, probePostgres } from '../postgres';
import { countFsyncs, straceUnavailable } from './fsync-count';
import { createPeerDatabases } from './peer-databases';
import { Prng } from '../prng';
import { SYSTEMS, STREAM_LENGTH, SystemName, SystemOptions, backendOf, meanEventBytes, peerEvents } from './peer-system';
import type { WorkerData, WorkerReply, WorkerRequest } from './peer-worker';
import { PHASES, Phase, PeerRun, peersReport } from './peers-report';

/**
 * `npm run bench:peers` (issue 16): the same workload through Timeline's two event stores, Emmett's
 * SQLite and PostgreSQL stores, and raw better-sqlite3 / pg loops, each system in a worker thread of
 * its own, in alternating rounds. Every figure is read against the others of its round.
 *   PEERS_SCALE    events per workload × this (default 1: a 10,000-event log to read, 600 appends by 1 writer, 1,200 by 8); 2–5 min on 2 cores
 *   PEERS_ROUNDS   measured rounds (default 5; one warm-up round more is run and dropped)
 *   PEERS_APPEND_SECONDS  no append starts after this many seconds of an append workload (default 3; Emmett's SQLite store at 8 writers takes seconds per append)
 *   PEERS_SYSTEMS  a comma-separated subset of the systems (default all six)
 *   PEERS_POSTGRES 0 skips the PostgreSQL systems (skipped with the reason when the server cannot be reached)
 *   BENCH_DATABASE_URL, BENCH_DIR, BENCH_SEED as for `npm run bench`
 * Progress goes to stderr; the markdown report to stdout and bench/results/peers.md.
 */

const DEFAULT_SEED = 20241018;
const scale = numberEnv('PEERS_SCALE', 1, (v) => v > 0 && v <= 20);
const rounds = numberEnv('PEERS_ROUNDS', 5, (v) => Number.isInteger(v) && v >= 1 && v <= 50);
const DEFAULT_APPEND_SECONDS = 3;
const appendSeconds = numberEnv('PEERS_APPEND_SECONDS', DEFAULT_APPEND_SECONDS, (v) => v > 0 && v <= 600);
const seed = numberEnv('BENCH_SEED', DEFAULT_SEED, (v) => Number.isInteger(v) && v >= 0);
const parentDir = resolve(process.env.BENCH_DIR || tmpdir());
const postgresWanted = process.env.PEERS_POSTGRES !== '0';
const wanted = (process.env.PEERS_SYSTEMS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
for (const name of wanted) if (!(SYSTEMS as readonly string[]).includes(name)) throw new Error(`PEERS_SYSTEMS: unknown system '${name}' (known: ${SYSTEMS.join(', ')})`);

const sizes = {
  logEvents: Math.max(STREAM_LENGTH * 4, Math.round((10_000 * scale) / STREAM_LENGTH) * STREAM_LENGTH),
  /** Events per seeding append, 10 a call (by 8 concurrent writers on PostgreSQL, 1 on SQLite). */
  seedEventsPerAppend: 10,
  appendSeconds,
  append1: Math.max(50, Math.round(600 * scale)),
  append8: Math.max(80, Math.round(1200 * scale)),
  /** Appends of the counting passes (fsyncs, commits), not timed. */
  count1: 200,
  count8: 400,
};

const startedAt = Date.now();
const log = (line: string) => process.stderr.write(`[peers ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const resources = new RunResources(log);

/** A system's worker thread: one request at a time, its reply or its error. */
class PeerWorker {
  private readonly worker: Worker;
  private pending?: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };
  /** Set once the thread is gone: every later request fails with it. */
  private died?: Error;

  constructor(readonly system: SystemName, options: SystemOptions) {
    const workerData: WorkerData = { system, options };
    this.worker = new Worker(join(__dirname, 'peer-worker.ts'), { workerData, execArgv: ['--require', 'ts-node/register/transpile-only'] });
    this.worker.on('message', (message: { ok: true; reply: WorkerReply } | { ok: false; error: string }) => {
      const pending = this.pending;
      this.pending = undefined;
      if (message.ok) pending?.resolve(message.reply);
      else pending?.reject(new Error(message.error));
    });
    const die = (error: Error) => {
      this.died ??= error;
      this.pending?.reject(error);
      this.pending = undefined;
    };
    this.worker.on('error', (error) => die(new Error(`the worker thread died: ${error.stack ?? error.message}`)));
    this.worker.on('exit', (code) => die(new Error(`the worker thread exited (${code})`)));
  }

  request(request: WorkerRequest): Promise<WorkerReply> {
    if (this.died) return Promise.reject(this.died);
    if (this.pending) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(request);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);

/** The request a phase makes of every system in a round (same events for all). */
function phaseRequest(phase: Phase, round: number): WorkerRequest {
  switch (phase) {
    case 'append-1':
      return { op: 'append', events: sizes.append1, writers: 1, seed: seed + 1000 + round, prefix: `appendone${round}`, seconds: appendSeconds };
    case 'append-8':
      return { op: 'append', events: sizes.append8, writers: 8, seed: seed + 2000 + round, prefix: `appendeight${round}`, seconds: appendSeconds };
    case 'log-read':
      return { op: 'readLog' };
    case 'stream-read':
      return { op: 'readStreams', streams: sizes.logEvents / STREAM_LENGTH };
    case 'rebuild':
      return { op: 'rebuild', name: `peer_counts_r${round}` };
    default: {
      const never: never = phase;
      throw new Error(`unknown phase ${String(never)}`);
    }
  }
}

async function main(): Promise<void> {
  const fail = async (message: string, code: number): Promise<never> => {
    process.stderr.write(`peers: ${message}\n`);
    await resources.cleanup().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void fail('interrupted', 130));
  process.on('SIGTERM', () => void fail('terminated', 143));
  mkdirSync(parentDir, { recursive: true });
  const root = (resources.root = mkdtempSync(join(parentDir, 'timeline-peers-')));
  const run: PeerRun = {
    scale,
    rounds,
    seed,
    sizes,
    root,
    eventBytes: meanEventBytes(peerEvents(new Prng(seed), 1000)),
    startedAt: new Date(startedAt),
    systems: [],
    skipped: new Map(),
    facts: new Map(),
    files: new Map(),
    seeding: new Map(),
    results: new Map(),
    fsyncs: new Map(),
    commits: new Map(),
    countErrors: new Map(),
    console: new Map(),
    wallMs: 0,
    reproduce: reproduceCommand(),
  };

  const postgres = postgresWanted ? await probePostgres(BENCH_DATABASE_URL) : ({ ok: false, reason: 'PEERS_POSTGRES=0' } as const);
  run.postgres = postgres.ok ? postgres.version : undefined;
  log(postgres.ok ? `PostgreSQL: ${postgres.version}` : `PostgreSQL systems skipped: ${postgres.reason}`);
  const candidates = SYSTEMS.filter((system) => wanted.length === 0 || wanted.includes(system));
  for (const system of candidates) if (backendOf(system) === 'postgres' && !postgres.ok) run.skipped.set(system, `PostgreSQL: ${postgres.reason}`);

  const databaseName = (system: SystemName, which: 'log' | 'appends') => `peers_${process.pid}_${system.replace('-', '_')}_${which}`;
  const pgSystems = candidates.filter((system) => backendOf(system) === 'postgres' && !run.skipped.has(system));
  const databases = await createPeerDatabases(BENCH_DATABASE_URL, pgSystems.flatMap((system) => [databaseName(system, 'log'), databaseName(system, 'appends')]));
  resources.track('PostgreSQL databases', () => databases.drop());
  const removeData = async () => rmSync(root, { recursive: true, force: true });

  const workers = new Map<SystemName, PeerWorker>();
  for (const system of candidates.filter((s) => !run.skipped.has(s))) {
    const worker = new PeerWorker(system, {
      dir: join(root, system),
      logUrl: databases.urls.get(databaseName(system, 'log')) ?? '',
      appendsUrl: databases.urls.get(databaseName(system, 'appends')) ?? '',
    });
    resources.track(`${system} worker`, async () => void (await worker.terminate()));
    try {
      const opened = await worker.request({ op: 'open' });
      run.facts.set(system, opened.facts ?? []);
      run.files.set(system, opened.files ?? []);
      workers.set(system, worker);
      log(`${system}: open (${(opened.facts ?? []).join(', ')})`);
    } catch (error) {
      run.skipped.set(system, `could not open: ${firstLine(error)}`);
      log(`${system}: could not open: ${firstLine(error)}`);
      await worker.terminate();
    }
  }
  run.systems.push(...workers.keys());
  // Closed in reverse order: data and databases go before the threads are stopped (stopping a thread
  // with a sqlite3 call in flight can abort the process).
  resources.track('PostgreSQL databases', () => databases.drop());
  resources.track('data directory', removeData);

  for (const [system, worker] of workers) {
    try {
      // 8 writers on PostgreSQL, where commit order and positions can then differ as they do in use;
      // 1 on SQLite, where Emmett's store takes seconds per append with 8 (and positions follow commits anyway).
      const writers = backendOf(system) === 'postgres' ? 8 : 1;
      const reply = await worker.request({ op: 'seed', events: sizes.logEvents, writers, eventsPerAppend: sizes.seedEventsPerAppend, seed });
      run.seeding.set(system, reply);
      log(`${system}: seeded ${reply.events} events in ${(reply.ms / 1000).toFixed(1)} s (${reply.retries ?? 0} busy retries)`);
    } catch (error) {
      run.skipped.set(system, `could not seed its log: ${firstLine(error)}`);
      log(`${system}: could not seed: ${firstLine(error)}`);
    }
  }
  const active = run.systems.filter((system) => !run.skipped.has(system));

  for (let round = 0; round <= rounds; round++) {
    for (const [index, phase] of PHASES.entries()) {
      // Each phase runs the systems one after the other, starting with a different one every round.
      const shift = (round + index) % active.length;
      for (const system of [...active.slice(shift), ...active.slice(0, shift)]) {
        const worker = workers.get(system)!;
        let outcome: WorkerReply | { error: string };
        try {
          outcome = await worker.request(phaseRequest(phase, round));
        } catch (error) {
          outcome = { error: firstLine(error) };
        }
        if (round > 0) {
          const key = `${system} ${phase}`;
          run.results.set(key, [...(run.results.get(key) ?? []), outcome]);
        }
        log(`round ${round}${round === 0 ? ' (warm-up)' : ''} ${phase} ${system}: ${'error' in outcome ? `ERROR ${outcome.error}` : `${outcome.events} events in ${outcome.ms.toFixed(0)} ms${outcome.failed ? `, ${outcome.failed} refused` : ''}`}`);
      }
    }
  }

  await countingPasses(run, workers, active);

  for (const [system, worker] of workers) {
    try {
      const closed = await worker.request({ op: 'close' });
      if (closed.consoleLines) run.console.set(system, { lines: closed.consoleLines, first: closed.firstConsoleLine ?? '' });
    } catch (error) {
      log(`${system}: close failed: ${firstLine(error)}`);
    }
  }

  run.wallMs = Date.now() - startedAt;
  const markdown = peersReport(run);
  process.stdout.write(`${markdown}\n`);
  const resultsDir = join(__dirname, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'peers.md'), markdown);
  await resources.cleanup();
  log(`done in ${(run.wallMs / 1000).toFixed(0)} s; report in bench/results/peers.md`);
  process.exit(0);
}

/**
 * Not timed: appends by 1 and by 8 writers again, counting on SQLite the fsyncs of the system's own
 * files (strace attached to this process), on PostgreSQL the transactions that wrote the events.
 */
async function countingPasses(run: PeerRun, workers: ReadonlyMap<SystemName, PeerWorker>, active: readonly SystemName[]): Promise<void> {
  const noStrace = straceUnavailable();
  if (noStrace) run.fsyncsUnavailable = noStrace;
  for (const system of active) {
    const worker = workers.get(system)!;
    for (const [writers, events] of [
      [1, sizes.count1],
      [8, sizes.count8],
    ] as const) {
      const prefix = `count${writers}`;
      const request: WorkerRequest = { op: 'append', events, writers, seed: seed + 3000 + writers, prefix, seconds: appendSeconds };
      try {
        if (backendOf(system) === 'sqlite') {
          if (noStrace) continue;
          let appended = 0;
          const files = run.files.get(system) ?? [];
          const byFile = await countFsyncs(run.root, `${system}-${writers}`, async () => {
            appended = (await worker.request(request)).events;
          });
          const own = [...byFile].filter(([file]) => files.some((dir) => file.startsWith(`${dir}/`)));
          run.fsyncs.set(`${system} ${writers}`, { appended, total: own.reduce((sum, [, n]) => sum + n, 0), byFile: own });
        } else {
          const appended = (await worker.request(request)).events;
          const commits = (await worker.request({ op: 'transactions', prefix })).transactions ?? Number.NaN;
          run.commits.set(`${system} ${writers}`, { appended, commits });
        }
        log(`counted ${system}, ${writers} writer(s)`);
      } catch (error) {
        const reason = firstLine(error);
        if (backendOf(system) === 'sqlite' && /strace/.test(reason)) run.fsyncsUnavailable = reason;
        run.countErrors.set(`${system} ${writers}`, reason);
        log(`counting ${system}, ${writers} writer(s) failed: ${reason}`);
      }
    }
  }
}

function reproduceCommand(): string {
  const env: string[] = [];
  if (scale !== 1) env.push(`PEERS_SCALE=${scale}`);
  if (rounds !== 5) env.push(`PEERS_ROUNDS=${rounds}`);
  if (appendSeconds !== DEFAULT_APPEND_SECONDS) env.push(`PEERS_APPEND_SECONDS=${appendSeconds}`);
  if (wanted.length > 0) env.push(`PEERS_SYSTEMS=${wanted.join(',')}`);
  if (!postgresWanted) env.push('PEERS_POSTGRES=0');
  if (seed !== DEFAULT_SEED) env.push(`BENCH_SEED=${seed}`);
  return [...env, 'npm run bench:peers'].join(' ');
}

main().catch(async (error: unknown) => {
  process.stderr.write(`peers: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await resources.cleanup().catch(() => undefined);
  process.exit(1);
});
