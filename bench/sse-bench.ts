import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { openStorage } from '../src/bootstrap/open-storage';
import { EVENT_STORE, type EventStore, type NewEvent } from '../src/event-store/event-store.port';
import { createApp } from '../src/bootstrap/create-app';
import { LiveEventStreams } from '../src/http/sse/live-event-streams';
import { loadConfig } from '../src/platform/app-config';
import { systemClock } from '../src/platform/clock';
import { Prng } from './prng';
import { fmtInt, fmtMs, fmtNum, fmtRatio, median, percentileSorted, table, verdict, yieldToEventLoop } from './stats';

/**
 * `/v1/events/live` (Server-Sent Events), two parts:
 *
 * 1. Live fan-out: `subscribers` SSE connections (node:http, frames parsed by hand, in a worker
 *    thread: `sse-worker.js`) while one writer appends `ratePerSec` events/s for `seconds` through
 *    the store port in the server's process. Each event carries its send time
 *    (`performance.timeOrigin + performance.now()`, the same clock in both threads, checked); the
 *    latency of an event at a subscriber is the arrival of the chunk that completes it minus that.
 *    Every subscriber must get every event exactly once, in order.
 * 2. Catch-up: `catchUpEvents` appended through the port in batches of 1000, then one SSE
 *    subscriber (worker thread) reads from `after=0` until it has them all, against `readAll` in
 *    pages of 1000 in the server's process, taking turns, `rounds` times each; medians.
 *
 * Standalone: `npx ts-node --transpile-only bench/sse-bench.ts`, with
 *   BENCH_SCALE        default 0.3: catch-up of 1M × scale events (300k)
 *   BENCH_SSE_SECONDS  default 30: length of the live part
 *   BENCH_DIR, BENCH_SEED, BENCH_TIMEOUT_S (default 300 + 1500 × scale + 2 × seconds)
 * Exit codes: 0 done (targets may still read FAIL), 1 error or a delivery check failed, 3 time limit, 130/143 signal.
 */

import { RunResources, numberEnv, type Tracker } from './harness';
export type { Tracker };

export type SseOptions = Readonly<{
  /** An empty directory of its own; two data dirs are made under it. */
  dir: string;
  subscribers: number;
  ratePerSec: number;
  seconds: number;
  catchUpEvents: number;
  rounds: number;
  seed: number;
  deadline: number;
  log: (line: string) => void;
  track: Tracker;
}>;

export type LiveFigures = Readonly<{
  subscribers: number;
  ratePerSec: number;
  seconds: number;
  planned: number;
  appended: number;
  writerMs: number;
  achievedRate: number;
  /** Writer: how late each append started against its schedule (ms). */
  lateP99Ms: number;
  /** Events appended in each 5-second window of the run, as events/s. */
  windowRates: number[];
  appendP50Ms: number;
  appendP99Ms: number;
  appendMaxMs: number;
  latency: Readonly<{ samples: number; p50Ms: number; p90Ms: number; p99Ms: number; p999Ms: number; maxMs: number; minMs: number }>;
  /** From the writer's last append until every subscriber had every event. */
  drainMs?: number;
  delivered: number;
  expected: number;
  receivedMin: number;
  receivedMax: number;
  duplicates: number;
  missing: number;
  outOfOrder: number;
  malformed: number;
  otherEvents: number;
  clientErrors: string[];
  serverDropped: number;
  /** Main thread (server + writer) during the live run. */
  eventLoopUtilization: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  clockOffsetMs: number;
  clockRttMs: number;
  /** 1-minute load average of the machine before and after the live run (other work shares the cores). */
  loadBefore: number;
  loadAfter: number;
  ok: boolean;
}>;

export type CatchUpRound = Readonly<{ rawMs: number; sseMs: number; sseFirstEventMs?: number }>;

export type CatchUpFigures = Readonly<{
  events: number;
  loadMs: number;
  projectionsMs: number;
  rounds: CatchUpRound[];
  rawEventsPerSec: number;
  sseEventsPerSec: number;
  ratio: number;
  sseBytesPerEvent: number;
  ok: boolean;
}>;

export type SseResult = Readonly<{ live: LiveFigures; catchUp: CatchUpFigures; ok: boolean; failures: string[]; markdown: string }>;

const LIVE_TYPE = 'BenchLiveTick';
const CATCH_UP_TYPE = 'BenchCatchUp';
const PAGE = 1000;
const LOAD_BATCH = 1000;
const WORKER = join(__dirname, 'sse-worker.js');

function remaining(deadline: number): number {
  const ms = deadline - Date.now();
  if (ms <= 0) throw new Error('benchmark deadline reached');
  return ms;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const clockNow = () => performance.timeOrigin + performance.now();

/** A payload about the size of a `ClaimReported` (~450 bytes of JSON), drawn from `prng`. */
function payload(prng: Prng, seq: number): Record<string, unknown> {
  return {
    seq,
    developmentId: `bench-${prng.int(0, 9999)}`,
    claimId: prng.uuid(),
    sourceId: `source-${prng.int(0, 39)}`,
    stance: prng.pick(['asserts', 'denies', 'confirms']),
    reportedAt: new Date(Date.UTC(2024, 0, 1) + prng.int(0, 365) * 86_400_000).toISOString().slice(0, 10),
    quantity: { value: prng.int(1, 20) * 500, unit: 'troops', qualifier: 'about' },
    quote: `A quote of moderate length, number ${seq}, as the source gave it.`,
    publication: { title: `Report ${seq}`, url: `https://example.org/report/${seq}`, publishedAt: '2024-10-18' },
  };
}

function newEvent(prng: Prng, type: string, data: Record<string, unknown>): NewEvent {
  const id = prng.uuid();
  return { eventId: prng.uuid(), type, data, metadata: { schemaVersion: 1, correlationId: id, causationId: id, actor: 'bench' } };
}

async function startApp(dir: string, options: SseOptions, name: string): Promise<{ app: NestFastifyApplication; base: string; release: () => Promise<void> }> {
  const config = loadConfig({ TIMELINE_DATA_DIR: dir, TIMELINE_SEED: 'none', LOG_LEVEL: 'silent' }, process.cwd());
  const app: NestFastifyApplication = await createApp(config);
  const untrack = options.track(name, () => app.close());
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    untrack();
    await app.close();
    throw error;
  }
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    app,
    base,
    release: async () => {
      untrack();
      await app.close();
    },
  };
}

/** A worker from sse-worker.js, terminated on release (and by the tracker on failure). */
function startWorker(workerData: Record<string, unknown>, options: SseOptions): { worker: Worker; release: () => Promise<void> } {
  const worker = new Worker(WORKER, { workerData });
  const untrack = options.track('SSE client worker', async () => void (await worker.terminate()));
  return {
    worker,
    release: async () => {
      untrack();
      await worker.terminate();
    },
  };
}

/** The next message of `type` from the worker (an 'error' message, a worker error or exit rejects), within `ms`. */
function nextMessage<T>(worker: Worker, type: string, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: { type: string; error?: string }) => {
      if (message.type === 'error') {
        done();
        reject(new Error(`${what}: ${message.error}`));
      } else if (message.type === type) {
        done();
        resolve(message as T);
      }
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`${what}: the worker exited (${code})`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`));
    }, ms);
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

/** The worker's clock minus ours, from the ping with the shortest round trip. */
async function clockOffset(worker: Worker): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: Number.NaN, rttMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 20; i++) {
    const t0 = clockNow();
    worker.postMessage({ type: 'clock', t0 });
    const { tw } = await nextMessage<{ tw: number }>(worker, 'clock', 5000, 'clock check');
    const t1 = clockNow();
    if (t1 - t0 < best.rttMs) best = { offsetMs: tw - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  return best;
}

type ClientFigures = {
  ready: boolean;
  received: number;
  lastSeq: number;
  duplicates: number;
  missing: number;
  outOfOrder: number;
  malformed: number;
  otherEvents: number;
  error?: string;
};

/** Part 1: fan-out latency and delivery. */
async function liveFanOut(options: SseOptions): Promise<LiveFigures> {
  const dir = join(options.dir, 'live');
  mkdirSync(dir, { recursive: true });
  const { app, base, release } = await startApp(dir, options, 'live app');
  const planned = Math.max(1, Math.round(options.ratePerSec * options.seconds));
  try {
    const store = app.get<EventStore>(EVENT_STORE);
    if ((await store.headPosition()) !== 0n) throw new Error('the live data dir is not empty');
    const client = startWorker(
      {
        mode: 'live',
        url: `${base}/v1/events/live?after=0`,
        subscribers: options.subscribers,
        benchType: LIVE_TYPE,
        capacity: planned * options.subscribers,
        readyTimeoutMs: 30_000,
        graceMs: 500,
      },
      options,
    );
    try {
      const clock = await clockOffset(client.worker);
      options.log(`  clock check: worker − main = ${clock.offsetMs.toFixed(3)} ms (round trip ${clock.rttMs.toFixed(3)} ms)`);
      const ready = nextMessage(client.worker, 'ready', Math.min(40_000, remaining(options.deadline)), 'subscribers');
      client.worker.postMessage({ type: 'connect' });
      await ready;
      options.log(`  ${options.subscribers} subscribers connected; writing ${planned} events at ${options.ratePerSec}/s`);

      const prng = new Prng(options.seed ^ 0x55e);
      const interval = 1000 / options.ratePerSec;
      const appendMs = new Float64Array(planned);
      const lateMs = new Float64Array(planned);
      const loadBefore = loadavg()[0];
      const delay = monitorEventLoopDelay({ resolution: 2 });
      const elu0 = performance.eventLoopUtilization();
      delay.enable();
      const start = performance.now();
      // The run lasts `seconds` whatever happens: a writer behind schedule appends fewer events
      // (the achieved rate is reported) rather than stretching the run.
      const end = start + options.seconds * 1000;
      let appended = 0;
      for (let seq = 0; seq < planned && performance.now() < end; seq++) {
        const due = start + seq * interval;
        const wait = due - performance.now();
        // Never a busy wait: the writer shares the server's event loop. Behind schedule, it still
        // lets I/O run between appends (an awaited append alone resolves in microtasks).
        if (wait > 0) await sleep(wait);
        else await yieldToEventLoop();
        lateMs[seq] = performance.now() - due;
        const data = payload(prng, seq);
        data.sentAt = clockNow();
        const before = performance.now();
        await store.append('bench-sse-live', [newEvent(prng, LIVE_TYPE, data)], 'any');
        appendMs[seq] = performance.now() - before;
        appended = seq + 1;
      }
      const writerMs = performance.now() - start;
      const writerDoneAt = clockNow();
      options.log(`  writer done: ${appended} of ${planned} events in ${(writerMs / 1000).toFixed(2)} s; waiting for delivery`);
      client.worker.postMessage({ type: 'finish', count: appended, waitMs: 30_000, writerDoneAt });
      const result = await nextMessage<{ latencies: Float64Array; drainMs?: number; clients: ClientFigures[] }>(
        client.worker,
        'result',
        Math.min(60_000, remaining(options.deadline)),
        'delivery',
      );
      delay.disable();
      const elu = performance.eventLoopUtilization(elu0);
      const streams = app.get(LiveEventStreams);
      const serverDropped = streams.dropped;

      const latencies = Float64Array.from(result.latencies).sort();
      const appendSorted = appendMs.slice(0, appended).sort();
      const lateSorted = lateMs.slice(0, appended).sort();
      const clients = result.clients;
      const sum = (pick: (c: ClientFigures) => number) => clients.reduce((total, c) => total + pick(c), 0);
      const delivered = sum((c) => c.received);
      const expected = appended * options.subscribers;
      const missing = sum((c) => c.missing + Math.max(0, appended - 1 - c.lastSeq));
      const clientErrors = clients.map((c, i) => (c.error ? `subscriber ${i}: ${c.error}` : '')).filter(Boolean);
      const figures: LiveFigures = {
        subscribers: options.subscribers,
        ratePerSec: options.ratePerSec,
        seconds: options.seconds,
        planned,
        appended,
        writerMs,
        achievedRate: (appended / writerMs) * 1000,
        lateP99Ms: percentileSorted(lateSorted, 99),
        windowRates: windowRates(lateMs, appended, interval, options.seconds),
        appendP50Ms: percentileSorted(appendSorted, 50),
        appendP99Ms: percentileSorted(appendSorted, 99),
        appendMaxMs: appendSorted[appendSorted.length - 1],
        latency: {
          samples: latencies.length,
          minMs: latencies[0],
          p50Ms: percentileSorted(latencies, 50),
          p90Ms: percentileSorted(latencies, 90),
          p99Ms: percentileSorted(latencies, 99),
          p999Ms: percentileSorted(latencies, 99.9),
          maxMs: latencies[latencies.length - 1],
        },
        drainMs: result.drainMs,
        delivered,
        expected,
        receivedMin: Math.min(...clients.map((c) => c.received)),
        receivedMax: Math.max(...clients.map((c) => c.received)),
        duplicates: sum((c) => c.duplicates),
        missing,
        outOfOrder: sum((c) => c.outOfOrder),
        malformed: sum((c) => c.malformed),
        otherEvents: sum((c) => c.otherEvents),
        clientErrors,
        serverDropped,
        eventLoopUtilization: elu.utilization,
        eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
        eventLoopDelayMaxMs: delay.max / 1e6,
        clockOffsetMs: clock.offsetMs,
        clockRttMs: clock.rttMs,
        loadBefore,
        loadAfter: loadavg()[0],
        ok: false,
      };
      const ok =
        clients.length === options.subscribers &&
        delivered === expected &&
        clients.every((c) => c.received === appended && c.lastSeq === appended - 1) &&
        figures.duplicates === 0 &&
        missing === 0 &&
        figures.outOfOrder === 0 &&
        figures.malformed === 0 &&
        clientErrors.length === 0 &&
        latencies.length === expected;
      options.log(
        `  latency p50 ${figures.latency.p50Ms.toFixed(2)} ms, p99 ${figures.latency.p99Ms.toFixed(2)} ms, max ${figures.latency.maxMs.toFixed(1)} ms; ` +
          `delivered ${delivered}/${expected}${ok ? '' : ' — DELIVERY CHECK FAILED'}`,
      );
      return { ...figures, ok };
    } finally {
      await client.release();
    }
  } finally {
    await release();
  }
}

/** Events/s in each 5-second window of the writer's run, from when each append started (schedule + lateness). */
function windowRates(lateMs: Float64Array, appended: number, interval: number, seconds: number): number[] {
  const windows = Math.max(1, Math.ceil(seconds / 5));
  const counts = new Array<number>(windows).fill(0);
  for (let seq = 0; seq < appended; seq++) counts[Math.min(windows - 1, Math.floor((seq * interval + lateMs[seq]) / 5000))]++;
  return counts.map((count, i) => count / Math.min(5, seconds - i * 5));
}

/** Appends `count` events through the port (batches of 1000, each its own stream), with the app not running. */
async function loadLog(dir: string, count: number, options: SseOptions): Promise<number> {
  const storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, systemClock);
  const untrack = options.track('catch-up load storage', () => storage.close());
  try {
    const prng = new Prng(options.seed ^ 0xca7c);
    const start = performance.now();
    let nextReport = Date.now() + 15_000;
    for (let first = 0, batch = 0; first < count; first += LOAD_BATCH, batch++) {
      const events: NewEvent[] = [];
      for (let seq = first; seq < Math.min(count, first + LOAD_BATCH); seq++) events.push(newEvent(prng, CATCH_UP_TYPE, payload(prng, seq)));
      await storage.eventStore.append(`bench-catchup-${batch}`, events, 'no-stream');
      await yieldToEventLoop();
      if (Date.now() > nextReport) {
        nextReport = Date.now() + 15_000;
        remaining(options.deadline);
        options.log(`  loading: ${first + events.length}/${count} events`);
      }
    }
    const ms = performance.now() - start;
    const head = await storage.eventStore.headPosition();
    if (head !== BigInt(count)) throw new Error(`loaded ${count} events but the head is ${head}`);
    return ms;
  } finally {
    untrack();
    await storage.close();
  }
}

/** Until every projection has applied the whole log (the app catches up at start). */
async function waitForProjections(base: string, head: number, deadline: number): Promise<void> {
  for (;;) {
    const response = await fetch(`${base}/v1/projections`, { signal: AbortSignal.timeout(30_000) });
    const body = (await response.json()) as { head: number; projections: { name: string; checkpoint: number; state: string }[] };
    if (body.projections.some((p) => p.state === 'failed')) throw new Error(`a projection failed: ${JSON.stringify(body)}`);
    if (body.head === head && body.projections.every((p) => p.checkpoint === head)) return;
    if (Date.now() > deadline) throw new Error(`projections did not catch up: ${JSON.stringify(body)}`);
    await sleep(250);
  }
}

async function rawRead(store: EventStore): Promise<number> {
  let after = 0n;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE });
    if (page.length === 0) return count;
    count += page.length;
    after = page[page.length - 1].position;
  }
}

/** Part 2: one SSE subscriber reading the whole log vs readAll in pages. */
async function catchUp(options: SseOptions): Promise<CatchUpFigures> {
  const dir = join(options.dir, 'catchup');
  mkdirSync(dir, { recursive: true });
  const events = options.catchUpEvents;
  options.log(`  loading ${events} events through the port (batches of ${LOAD_BATCH})`);
  const loadMs = await loadLog(dir, events, options);
  options.log(`  loaded in ${(loadMs / 1000).toFixed(1)} s (${fmtInt((events / loadMs) * 1000)} events/s)`);
  const { app, base, release } = await startApp(dir, options, 'catch-up app');
  try {
    const projectionsStart = performance.now();
    await waitForProjections(base, events, Math.min(options.deadline, Date.now() + 1_800_000));
    const projectionsMs = performance.now() - projectionsStart;
    options.log(`  projections caught up with the log in ${(projectionsMs / 1000).toFixed(1)} s`);
    const store = app.get<EventStore>(EVENT_STORE);
    const rounds: CatchUpRound[] = [];
    let bytes = 0;
    for (let round = 0; round < options.rounds; round++) {
      remaining(options.deadline);
      await yieldToEventLoop();
      const rawStart = performance.now();
      const read = await rawRead(store);
      const rawMs = performance.now() - rawStart;
      if (read !== events) throw new Error(`the raw read found ${read} events, not ${events}`);

      const client = startWorker({ mode: 'catchup', url: `${base}/v1/events/live?after=0`, expect: events, after: 0, stallMs: 30_000 }, options);
      let result: { error?: string; count: number; bad: number; firstBad?: string; bytes: number; elapsedMs: number; firstEventMs?: number };
      try {
        result = await nextMessage(client.worker, 'result', remaining(options.deadline), 'SSE catch-up');
      } finally {
        await client.release();
      }
      if (result.error || result.count !== events || result.bad > 0) {
        throw new Error(`SSE catch-up round ${round + 1}: ${result.error ?? ''} ${result.count}/${events} events, ${result.bad} out of place${result.firstBad ? ` (first: ${result.firstBad})` : ''}`);
      }
      bytes = result.bytes;
      rounds.push({ rawMs, sseMs: result.elapsedMs, sseFirstEventMs: result.firstEventMs });
      options.log(
        `  round ${round + 1}: raw ${(rawMs / 1000).toFixed(2)} s (${fmtInt((events / rawMs) * 1000)}/s), SSE ${(result.elapsedMs / 1000).toFixed(2)} s (${fmtInt((events / result.elapsedMs) * 1000)}/s)`,
      );
    }
    const rawEventsPerSec = (events / median(rounds.map((r) => r.rawMs))) * 1000;
    const sseEventsPerSec = (events / median(rounds.map((r) => r.sseMs))) * 1000;
    return {
      events,
      loadMs,
      projectionsMs,
      rounds,
      rawEventsPerSec,
      sseEventsPerSec,
      ratio: sseEventsPerSec / rawEventsPerSec,
      sseBytesPerEvent: bytes / events,
      ok: true,
    };
  } finally {
    await release();
  }
}

const P99_TARGET_MS = 25;
const RATIO_TARGET = 0.5;

export function sseMarkdown(live: LiveFigures, catchUp: CatchUpFigures, failures: readonly string[]): string {
  const out: string[] = [];
  out.push('## SSE: `/v1/events/live` fan-out latency and catch-up', '');
  out.push(
    table(
      ['measure', 'target', 'measured', 'verdict'],
      [
        [`append→receive p99, ${live.subscribers} subscribers, ${live.ratePerSec} events/s for ${live.seconds} s`, `≤ ${P99_TARGET_MS} ms`, fmtMs(live.latency.p99Ms), verdict(live.latency.p99Ms <= P99_TARGET_MS)],
        [
          `writer rate, one appender in the server's process (the workload)`,
          `${live.ratePerSec}/s`,
          `${fmtNum(live.achievedRate, 1)}/s`,
          live.achievedRate >= 0.95 * live.ratePerSec ? 'held' : 'NOT HELD',
        ],
        ['events delivered, each once, in order', 'all', `${fmtInt(live.delivered)} / ${fmtInt(live.expected)}`, live.ok ? 'MATCH' : 'FAIL'],
        [`SSE catch-up / raw read, ${fmtInt(catchUp.events)} events`, `≥ ${RATIO_TARGET}`, fmtNum(catchUp.ratio), verdict(catchUp.ratio >= RATIO_TARGET)],
      ],
    ),
    '',
  );
  if (failures.length > 0) out.push(`**FAILED:** ${failures.join('; ')}`, '');
  out.push(
    `Live: \`createApp\` (TIMELINE_SEED=none, LOG_LEVEL=silent) on a fresh SQLite data dir, \`app.listen(0, '127.0.0.1')\`; ` +
      `${live.subscribers} subscribers \`GET /v1/events/live?after=0\`, each its own TCP connection (node:http, SSE frames parsed by hand) in one worker thread ` +
      '(`bench/sse-worker.js`), so their parsing does not run on the server\'s event loop. ' +
      `Once all had their \`retry:\` frame, one writer in the server's process appended up to ${fmtInt(live.planned)} events (\`${LIVE_TYPE}\`, ~0.7 KB as served) ` +
      `through the store port (\`append(stream, [event], 'any')\`, one event per transaction), one every ${fmtNum(1000 / live.ratePerSec, 1)} ms on a fixed schedule for ${live.seconds} s (behind schedule, it appends back to back, yielding to I/O in between, and stops at the end), ` +
      'each with its send time (`performance.timeOrigin + performance.now()`, taken just before `append`) in its data. ' +
      'Latency = arrival of the chunk that completed the event at a subscriber − send time: it includes the durable commit (WAL, `synchronous=FULL`). ' +
      `Clock check: worker − main ${fmtNum(live.clockOffsetMs, 3)} ms (round trip ${fmtNum(live.clockRttMs, 3)} ms).`,
    '',
  );
  if (live.achievedRate < 0.95 * live.ratePerSec) {
    out.push(
      `**The writer did not hold ${live.ratePerSec} events/s** (${fmtNum(live.achievedRate, 1)}/s, the server's thread ${fmtNum(live.eventLoopUtilization * 100, 0)} % busy): ` +
        'behind schedule it appends as fast as the server lets it, so the latencies below are at the rate the server sustained with this many subscribers, not at the target rate.',
      '',
    );
  }
  out.push(
    table(
      ['samples', 'min', 'p50', 'p90', 'p99', 'p99.9', 'max', `p99 ≤ ${P99_TARGET_MS} ms`],
      [
        [
          fmtInt(live.latency.samples),
          fmtMs(live.latency.minMs),
          fmtMs(live.latency.p50Ms),
          fmtMs(live.latency.p90Ms),
          fmtMs(live.latency.p99Ms),
          fmtMs(live.latency.p999Ms),
          fmtMs(live.latency.maxMs),
          verdict(live.latency.p99Ms <= P99_TARGET_MS),
        ],
      ],
    ),
    '',
  );
  out.push(
    table(
      ['writer', 'value'],
      [
        [
          'events appended',
          `${fmtInt(live.appended)} of ${fmtInt(live.planned)} scheduled, in ${fmtMs(live.writerMs)} (${fmtNum(live.achievedRate, 1)}/s; lateness against the schedule p99 ${fmtMs(live.lateP99Ms)})`,
        ],
        ['events/s by 5-second window', live.windowRates.map((rate) => fmtInt(rate)).join(', ')],
        ['`append` duration', `p50 ${fmtMs(live.appendP50Ms)}, p99 ${fmtMs(live.appendP99Ms)}, max ${fmtMs(live.appendMaxMs)}`],
        ['server thread (server + writer)', `event-loop utilisation ${fmtNum(live.eventLoopUtilization * 100, 0)} %, event-loop delay p99 ${fmtMs(live.eventLoopDelayP99Ms)}, max ${fmtMs(live.eventLoopDelayMaxMs)}`],
        ['machine load (1-min average) before / after', `${fmtNum(live.loadBefore)} / ${fmtNum(live.loadAfter)} on ${cpus().length} cores`],
        ['last append returned → last subscriber had the last event', live.drainMs === undefined ? 'never' : fmtMs(live.drainMs)],
      ],
    ),
    '',
  );
  out.push(
    table(
      ['delivered', 'per subscriber (min–max)', 'duplicates', 'missing', 'out of order', 'malformed', 'client errors', 'dropped by server', 'verdict'],
      [
        [
          `${fmtInt(live.delivered)} / ${fmtInt(live.expected)}`,
          `${fmtInt(live.receivedMin)}–${fmtInt(live.receivedMax)} of ${fmtInt(live.appended)}`,
          fmtInt(live.duplicates),
          fmtInt(live.missing),
          fmtInt(live.outOfOrder),
          fmtInt(live.malformed),
          live.clientErrors.length === 0 ? '0' : `${live.clientErrors.length}: ${live.clientErrors.slice(0, 2).join('; ')}`,
          fmtInt(live.serverDropped),
          live.ok ? 'MATCH' : 'FAIL',
        ],
      ],
    ),
    '',
  );
  out.push(
    `Catch-up: ${fmtInt(catchUp.events)} events (\`${CATCH_UP_TYPE}\`, ~${fmtInt(catchUp.sseBytesPerEvent)} bytes of \`data\` each) appended through the port ` +
      `in batches of ${LOAD_BATCH} before the app starts (${fmtMs(catchUp.loadMs)}, ${fmtInt((catchUp.events / catchUp.loadMs) * 1000)} events/s); ` +
      `the app started on that dir and its projections caught up (${fmtMs(catchUp.projectionsMs)}), then, ${catchUp.rounds.length} times, taking turns: ` +
      'raw = `readAll({after, limit: 1000})` on the app\'s event store until empty, in the server\'s process; ' +
      'SSE = one subscriber (worker thread, one connection) `GET /v1/events/live?after=0`, timed from the request until its last event arrived, ' +
      'each `data` parsed and each id checked (consecutive from 1). Rates from the median times; ratio = SSE / raw.',
    '',
  );
  out.push(
    table(
      ['round', 'raw read', 'raw events/s', 'SSE', 'SSE events/s', 'SSE first event'],
      catchUp.rounds.map((r, i) => [
        String(i + 1),
        fmtMs(r.rawMs),
        fmtInt((catchUp.events / r.rawMs) * 1000),
        fmtMs(r.sseMs),
        fmtInt((catchUp.events / r.sseMs) * 1000),
        r.sseFirstEventMs === undefined ? 'n/a' : fmtMs(r.sseFirstEventMs),
      ]),
    ),
    '',
  );
  out.push(
    table(
      ['events', 'raw events/s (median)', 'SSE events/s (median)', 'SSE / raw', `target ≥ ${RATIO_TARGET}`],
      [[fmtInt(catchUp.events), fmtInt(catchUp.rawEventsPerSec), fmtInt(catchUp.sseEventsPerSec), fmtRatio(catchUp.ratio), verdict(catchUp.ratio >= RATIO_TARGET)]],
    ),
    '',
  );
  return out.join('\n');
}

/** Both parts; `ok` is false (and `failures` says why) when delivery was not every event, once, in order. */
export async function sseBenchmark(options: SseOptions): Promise<SseResult> {
  options.log(`SSE part 1: ${options.subscribers} subscribers, ${options.ratePerSec} events/s for ${options.seconds} s`);
  const live = await liveFanOut(options);
  rmSync(join(options.dir, 'live'), { recursive: true, force: true });
  options.log(`SSE part 2: catch-up of ${options.catchUpEvents} events`);
  const catchUpFigures = await catchUp(options);
  rmSync(join(options.dir, 'catchup'), { recursive: true, force: true });
  const failures: string[] = [];
  if (!live.ok) {
    failures.push(
      `live delivery: ${live.delivered}/${live.expected} delivered, ${live.duplicates} duplicates, ${live.missing} missing, ` +
        `${live.outOfOrder} out of order, ${live.malformed} malformed, ${live.clientErrors.length} client errors`,
    );
  }
  if (!catchUpFigures.ok) failures.push('catch-up delivery');
  return { live, catchUp: catchUpFigures, ok: failures.length === 0, failures, markdown: sseMarkdown(live, catchUpFigures, failures) };
}

// ---------------------------------------------------------------------------------------------
// Standalone


/** Kills the process (and removes `dir`) if the main thread is stuck past `ms`, where timers cannot fire. */
function hardWatchdog(dir: string, ms: number): Worker {
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const fs = require('node:fs');
     setTimeout(() => {
       process.stderr.write('sse-bench: main thread stuck past the time limit; killing\\n');
       try { fs.rmSync(workerData.dir, { recursive: true, force: true }); } catch {}
       process.kill(process.pid, 'SIGKILL');
     }, workerData.ms);`,
    { eval: true, workerData: { dir, ms } },
  );
  worker.unref();
  return worker;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const log = (line: string) => process.stderr.write(`[sse-bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
  const resources = new RunResources(log);
  const track = resources.track;
  const cleanup = (): Promise<void> => resources.cleanup();
  const fail = async (message: string, code: number): Promise<never> => {
    process.stderr.write(`sse-bench: ${message}\n`);
    await cleanup().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void fail('interrupted', 130));
  process.on('SIGTERM', () => void fail('terminated', 143));
  process.on('unhandledRejection', (error) => void fail(`unhandled rejection: ${error instanceof Error ? error.stack : String(error)}`, 1));
  // Last resort: whatever the way out, the data does not stay behind.
  process.on('exit', () => {
    if (resources.root) rmSync(resources.root, { recursive: true, force: true });
  });

  try {
    const scale = numberEnv('BENCH_SCALE', 0.3, (v) => v > 0 && v <= 10);
    const seconds = numberEnv('BENCH_SSE_SECONDS', 30, (v) => v >= 1 && v <= 600);
    const seed = numberEnv('BENCH_SEED', 20241018, (v) => Number.isInteger(v) && v >= 0);
    const timeoutSec = numberEnv('BENCH_TIMEOUT_S', Math.round(300 + 1500 * scale + 2 * seconds), (v) => v >= 10);
    const parentDir = resolve(process.env.BENCH_DIR || tmpdir());
    const deadline = startedAt + timeoutSec * 1000;
    setTimeout(() => void fail(`timed out after ${timeoutSec} s (BENCH_TIMEOUT_S)`, 3), timeoutSec * 1000).unref();
    const root = (resources.root = mkdtempSync(join(parentDir, 'timeline-sse-bench-')));
    hardWatchdog(root, timeoutSec * 1000 + 60_000);
    log(`data in ${root}; BENCH_SCALE=${scale}, BENCH_SSE_SECONDS=${seconds}, time limit ${timeoutSec} s`);
    const result = await sseBenchmark({
      dir: root,
      subscribers: 100,
      ratePerSec: 200,
      seconds,
      catchUpEvents: Math.max(1000, Math.round(1_000_000 * scale)),
      rounds: 3,
      seed,
      deadline,
      log,
      track,
    });
    process.stdout.write(`${result.markdown}\n`);
    log(`done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    await cleanup();
    if (!result.ok) await fail(`FAILED: ${result.failures.join('; ')}`, 1);
    process.exit(0);
  } catch (error) {
    await fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1);
  }
}

if (require.main === module) void main();
