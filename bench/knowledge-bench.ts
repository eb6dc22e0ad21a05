import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type StorageConfig, openStorage } from '../src/bootstrap/open-storage';
import type { DevelopmentView } from '../src/domain/knowledge/development-view';
import { replayKnowledge, type LoggedEvent } from '../src/domain/knowledge/knowledge.replay';
import type { TimePoint } from '../src/domain/knowledge/knowledge.query';
import { axisBoundMs, parseReportedTime } from '../src/domain/shared/time';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.port';
import { upcast } from '../src/event-store/upcasters';
import { createApp } from '../src/bootstrap/create-app';
import { AppConfig, loadConfig } from '../src/platform/app-config';
import type { Clock } from '../src/platform/clock';
import { systemClock } from '../src/platform/clock';
import { KnowledgeProjection } from '../src/projections/knowledge/knowledge.projection';
import { ProjectionRunner } from '../src/projections/projection-runner';
import { DatasetGenerator, type DatasetStats, topicName } from './dataset';
import { analyzeReadModel, postgresStatistics } from './postgres';
import { Prng } from './prng';
import { canonicalJson, median, once, percentileSorted, yieldToEventLoop } from './stats';

/** Releases something the benchmark holds open (an app, a storage) when a run fails. */
import type { Tracker } from './harness';
export type { Tracker };

/** Where a level keeps its log and read model: the embedded file in `dir`, or a PostgreSQL schema. */
export type StoreChoice = Readonly<{ kind: 'sqlite' }> | Readonly<{ kind: 'postgres'; databaseUrl: string }>;

export type LevelOptions = Readonly<{
  /** The SQLite data dir (also given, unused, to a PostgreSQL level). */
  dir: string;
  /** Default: SQLite in `dir`. */
  store?: StoreChoice;
  claims: number;
  seed: number;
  sources: number;
  developmentsPerTopic: number;
  /** Distinct `/v1/knowledge` requests autocannon rotates through. */
  rotation: number;
  /** Of those, how many are also answered by the fold and compared. */
  checks: number;
  warmupSec: number;
  durationSec: number;
  connections: readonly number[];
  rawReadRounds: number;
  /** PostgreSQL: if the read model was never analysed (or is stale), ANALYZE it and measure the HTTP runs again. */
  analyzeAndRepeat?: boolean;
  /** SQLite: the HTTP runs again on an app started with each of these settings, in alternating rounds, each round beside `GET /health`. */
  settings?: Readonly<{ variants: readonly ServerSetting[]; rounds: number }>;
  deadline: number;
  log: (line: string) => void;
  track: Tracker;
}>;

/** An app started with these environment variables on top of the level's. */
export type ServerSetting = Readonly<{ name: string; env: Readonly<Record<string, string>> }>;

export const NO_PAGE_CACHE: ServerSetting = { name: 'no page cache', env: { TIMELINE_KNOWLEDGE_CACHE_MB: '0' } };

export type HttpFigures = Readonly<{
  connections: number;
  durationSec: number;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
}>;

export type QueryCheck = Readonly<{
  path: string;
  foldMs: number;
  apiItems: number;
  foldItems: number;
  idsAndStatusesMatch: boolean;
  fullViewsMatch: boolean;
  firstDifference?: string;
}>;

export type LevelFigures = Readonly<{
  store: StoreChoice['kind'];
  claimsTarget: number;
  dataset: DatasetStats;
  head: number;
  load: Readonly<{ ms: number; eventsPerSec: number }>;
  rawRead: Readonly<{ events: number; ms: number; eventsPerSec: number; roundsMs: number[] }>;
  rebuild: Readonly<{ events: number; ms: number; eventsPerSec: number }>;
  pathTemplate: string;
  http: HttpFigures[];
  fold: Readonly<{ logEvents: number; logReadMs: number; medianMs: number; perQueryMs: number[] }>;
  checks: QueryCheck[];
  /** PostgreSQL: the planner's statistics when the HTTP runs started (the app leaves ANALYZE to autovacuum). */
  statistics?: string;
  /** PostgreSQL, when the statistics were missing or stale: the same HTTP runs again after an ANALYZE. */
  httpAfterAnalyze?: HttpFigures[];
  /** SQLite: the HTTP runs on an app with each setting, round by round; `health`: `GET /health` at the most connections, on the round's first app. */
  bySetting?: readonly Readonly<{ setting: string; round: number; http: HttpFigures[]; health?: HttpFigures }>[];
}>;

type Query = Readonly<{ path: string; topic: string; asOf: string; recordedAsOf?: string }>;

const AS_OF_DATES = ['2024-02-15', '2024-04-30', '2024-06-30', '2024-08-31', '2024-10-31', '2024-12-31', '2025-06-30'];
const PAGE = 1000;
/** The synthetic transaction-time clock the loader uses: 2025-01-01, one second per append. */
const LOAD_CLOCK_START = Date.UTC(2025, 0, 1);

/** Where a data set is loaded: the level's store (`dir` for SQLite), with its limit, log and tracker. */
export type LoadOptions = Pick<LevelOptions, 'dir' | 'store' | 'deadline' | 'log' | 'track'>;

export function storageConfig(options: Pick<LevelOptions, 'dir' | 'store'>): StorageConfig {
  const store = options.store ?? { kind: 'sqlite' };
  return store.kind === 'postgres'
    ? { dataDir: options.dir, eventStore: 'postgres', databaseUrl: store.databaseUrl }
    : { dataDir: options.dir, eventStore: 'sqlite' };
}

/** The environment the app is started with: the same store as the level's. */
function appEnvironment(options: LevelOptions, setting?: ServerSetting): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TIMELINE_DATA_DIR: options.dir, TIMELINE_SEED: 'none', LOG_LEVEL: 'silent', ...setting?.env };
  if (options.store?.kind === 'postgres') {
    env.TIMELINE_EVENT_STORE = 'postgres';
    env.DATABASE_URL = options.store.databaseUrl;
  }
  return env;
}

function remaining(deadline: number): number {
  const ms = deadline - Date.now();
  if (ms <= 0) throw new Error('benchmark deadline reached');
  return ms;
}

/** Appends the generated data set through the port, on a synthetic clock (one second per append). */
export async function loadDataset(options: LoadOptions, generator: DatasetGenerator): Promise<{ ms: number; phase1End: string }> {
  let now = LOAD_CLOCK_START;
  const clock: Clock = { now: () => (now += 1000) };
  const storage = await openStorage(storageConfig(options), clock);
  const close = once(() => storage.close());
  const untrack = options.track('load storage', close);
  try {
    const store = storage.eventStore;
    const start = performance.now();
    for (const planned of generator.sourceAppends()) await store.append(planned.streamId, planned.events, 'no-stream');
    let phase1End = '';
    let done = 0;
    let nextReport = Date.now() + 15_000;
    for (const planned of generator.developmentAppends()) {
      const result = await store.append(planned.streamId, planned.events, 'no-stream');
      phase1End = result.events[result.events.length - 1].recordedAt;
      done += 1;
      if (done % 100 === 0) await yieldToEventLoop();
      if (Date.now() > nextReport) {
        nextReport = Date.now() + 15_000;
        remaining(options.deadline);
        options.log(`  loading: ${done} developments, ${generator.stats.events} events so far`);
      }
    }
    for (const [i, planned] of generator.correctionAppends().entries()) {
      await store.append(planned.streamId, planned.events, 'stream-exists');
      if (i % 100 === 99) await yieldToEventLoop();
    }
    return { ms: performance.now() - start, phase1End };
  } finally {
    untrack();
    await close();
  }
}

/** The whole log through `readAll` in pages of 1000 (the raw read a rebuild is set against); the events read. */
export async function readWholeLog(store: EventStore, onPage?: (page: Awaited<ReturnType<EventStore['readAll']>>) => void): Promise<number> {
  let after = 0n;
  let count = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE });
    if (page.length === 0) return count;
    count += page.length;
    after = page[page.length - 1].position;
    onPage?.(page);
  }
}

/** Section 3: raw sequential read of the log, then a projection rebuild from position 0 on a fresh read model. */
async function rebuild(options: LevelOptions): Promise<{ head: number; rawRead: LevelFigures['rawRead']; rebuild: LevelFigures['rebuild'] }> {
  const storage = await openStorage(storageConfig(options), systemClock);
  const close = once(() => storage.close());
  const untrack = options.track('rebuild storage', close);
  try {
    const head = await storage.eventStore.headPosition();
    const roundsMs: number[] = [];
    let events = 0;
    for (let round = 0; round < options.rawReadRounds; round++) {
      await yieldToEventLoop();
      const start = performance.now();
      events = await readWholeLog(storage.eventStore);
      roundsMs.push(performance.now() - start);
    }
    if (BigInt(events) !== head) throw new Error(`read ${events} events but the head is ${head}`);
    const rawMs = median(roundsMs);
    options.log(`  raw read: ${events} events in ${rawMs.toFixed(0)} ms (median of ${roundsMs.length})`);

    const checkpoint = await storage.readModel.query.selectFrom('projection_checkpoints').selectAll().execute();
    if (checkpoint.length > 0) throw new Error('the read model is not fresh: a checkpoint is already stored');
    const runner = new ProjectionRunner(storage.eventStore, storage.readModel, new KnowledgeProjection());
    const progress = setInterval(() => options.log(`  rebuilding: checkpoint ${runner.checkpoint} of ${head}`), 30_000);
    const start = performance.now();
    let reached: boolean;
    try {
      await runner.start();
      reached = await runner.waitFor(head, remaining(options.deadline));
    } finally {
      clearInterval(progress);
    }
    const ms = performance.now() - start;
    await runner.stop();
    if (!reached) throw new Error(`the knowledge projection did not reach ${head} (stopped at ${runner.checkpoint})`);
    return {
      head: Number(head),
      rawRead: { events, ms: rawMs, eventsPerSec: (events / rawMs) * 1000, roundsMs },
      rebuild: { events: Number(head), ms, eventsPerSec: (Number(head) / ms) * 1000 },
    };
  } finally {
    untrack();
    await close();
  }
}

function buildQueries(options: LevelOptions, topics: number, phase1End: string): Query[] {
  const prng = new Prng(options.seed ^ 0x5eed);
  const queries: Query[] = [];
  for (let i = 0; i < options.rotation; i++) {
    const topic = topicName(prng.int(0, topics - 1));
    const asOf = AS_OF_DATES[i % AS_OF_DATES.length];
    // Every fourth asks what was on record before the late corrections and retractions.
    const recordedAsOf = i % 4 === 3 ? phase1End : undefined;
    const params = new URLSearchParams({ topic, asOf, limit: '500' });
    if (recordedAsOf !== undefined) params.set('recordedAsOf', recordedAsOf);
    queries.push({ path: `/v1/knowledge?${params.toString()}`, topic, asOf, recordedAsOf });
  }
  return queries;
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    // A kept-alive connection idle for the server's keep-alive timeout (5 s: a fold can take that
    // long) may be closed just as fetch reuses it; a GET is safe to send again, once, on a new one.
    if (!(error instanceof TypeError)) throw error;
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

async function waitForNoLag(base: string, deadline: number): Promise<void> {
  for (;;) {
    const { status, body } = await getJson(`${base}/health`);
    const projections = body?.info?.projections ?? body?.details?.projections;
    if (status === 200 && projections) {
      const lags = Object.entries(projections)
        .filter(([key]) => key !== 'status')
        .map(([, value]) => Number((value as { lag?: unknown }).lag));
      if (lags.length > 0 && lags.every((lag) => lag === 0)) return;
    }
    if (Date.now() > deadline) throw new Error(`projections still lag: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type WorkerResult = {
  error?: string;
  latencies: Float64Array;
  errors: number;
  timeouts: number;
  non2xx: number;
  totalRequests: number;
  elapsedMs: number;
  statuses: Record<string, number>;
};

function runLoad(url: string, paths: readonly string[], connections: number, durationSec: number, deadline: number): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    // `spread`: the rotation is one for all connections (each of them would otherwise walk it from its start, in step).
    const worker = new Worker(join(__dirname, 'load-worker.js'), { workerData: { url, paths, connections, duration: durationSec, spread: true } });
    const limit = setTimeout(() => {
      void worker.terminate();
      reject(new Error('autocannon did not finish in time'));
    }, Math.min(durationSec * 1000 + 60_000, Math.max(1000, deadline - Date.now())));
    worker.once('message', (message: WorkerResult) => {
      clearTimeout(limit);
      void worker.terminate();
      if (message.error) reject(new Error(`autocannon: ${message.error}`));
      else resolve(message);
    });
    worker.once('error', (error) => {
      clearTimeout(limit);
      reject(error);
    });
  });
}

function httpFigures(result: WorkerResult, connections: number, durationSec: number): HttpFigures {
  const sorted = Float64Array.from(result.latencies).sort();
  return {
    connections,
    durationSec,
    requests: sorted.length,
    reqPerSec: (sorted.length / result.elapsedMs) * 1000,
    p50Ms: percentileSorted(sorted, 50),
    p90Ms: percentileSorted(sorted, 90),
    p99Ms: percentileSorted(sorted, 99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
    // autocannon counts a timeout among its errors too.
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

function timePointOf(query: Query): TimePoint {
  const asOf = parseReportedTime(query.asOf);
  const recordedAsOf = query.recordedAsOf === undefined ? undefined : parseReportedTime(query.recordedAsOf);
  if (!asOf || (query.recordedAsOf !== undefined && !recordedAsOf)) throw new Error(`bad query times in ${query.path}`);
  return { asOfMs: axisBoundMs(asOf), recordedAsOfMs: recordedAsOf ? axisBoundMs(recordedAsOf) : Date.now() };
}

function compare(api: DevelopmentView[], fold: DevelopmentView[]): { ids: boolean; full: boolean; first?: string } {
  const brief = (items: DevelopmentView[]) => items.map((item) => `${item.id}:${item.status}`);
  const a = brief(api);
  const f = brief(fold);
  const ids = a.length === f.length && a.every((entry, i) => entry === f[i]);
  let first: string | undefined;
  if (!ids) {
    const i = a.findIndex((entry, k) => entry !== f[k]);
    const k = i === -1 ? Math.min(a.length, f.length) : i;
    first = `item ${k}: api ${a[k] ?? '(none)'} vs fold ${f[k] ?? '(none)'} (${a.length} vs ${f.length} items)`;
  }
  let full = ids;
  if (ids) {
    for (let i = 0; i < api.length; i++) {
      const left = canonicalJson(api[i]);
      const right = canonicalJson(JSON.parse(JSON.stringify(fold[i])));
      if (left !== right) {
        full = false;
        first = `view of ${api[i].id} differs: api ${left.slice(0, 300)} vs fold ${right.slice(0, 300)}`;
        break;
      }
    }
  }
  return { ids, full, first };
}

/** A warm-up run, then one autocannon run per connection count. */
async function measureHttp(options: LevelOptions, base: string, paths: readonly string[]): Promise<HttpFigures[]> {
  options.log(`  HTTP warm-up ${options.warmupSec} s`);
  await runLoad(base, paths, 1, options.warmupSec, options.deadline);
  const http: HttpFigures[] = [];
  for (const connections of options.connections) {
    remaining(options.deadline);
    options.log(`  autocannon: ${connections} connection(s), ${options.durationSec} s`);
    const result = await runLoad(base, paths, connections, options.durationSec, options.deadline);
    const figures = httpFigures(result, connections, options.durationSec);
    if (figures.non2xx > 0 || figures.errors > 0 || figures.requests === 0) {
      throw new Error(`load run had failures: ${JSON.stringify({ statuses: result.statuses, errors: result.errors, timeouts: result.timeouts })}`);
    }
    options.log(`    p50 ${figures.p50Ms.toFixed(2)} ms, p99 ${figures.p99Ms.toFixed(2)} ms, ${figures.reqPerSec.toFixed(0)} req/s`);
    http.push(figures);
  }
  return http;
}

/**
 * The same HTTP runs on a fresh app per setting, in alternating rounds (A, B, C, A, B, C, ...), so
 * a drift of the machine shows as a spread rather than as a difference; each round also measures
 * `GET /health` (the floor of any route: HTTP, routing, guards) on its first app.
 */
async function measureSettings(options: LevelOptions, paths: readonly string[]): Promise<NonNullable<LevelFigures['bySetting']>> {
  const figures: { setting: string; round: number; http: HttpFigures[]; health?: HttpFigures }[] = [];
  const connections = Math.max(...options.connections);
  for (let round = 0; round < (options.settings?.rounds ?? 0); round++) {
    for (const [index, setting] of (options.settings?.variants ?? []).entries()) {
      remaining(options.deadline);
      options.log(`  ${setting.name}, round ${round + 1}`);
      const { base, close } = await listeningApp(options, loadConfig(appEnvironment(options, setting), process.cwd()));
      try {
        const http = await measureHttp({ ...options, warmupSec: 1 }, base, paths);
        let health: HttpFigures | undefined;
        if (index === 0) {
          health = httpFigures(await runLoad(base, ['/health'], connections, options.durationSec, options.deadline), connections, options.durationSec);
          options.log(`    GET /health: ${health.reqPerSec.toFixed(0)} req/s, p99 ${health.p99Ms.toFixed(2)} ms`);
        }
        figures.push({ setting: setting.name, round, http, health });
      } finally {
        await close();
      }
    }
  }
  return figures;
}

/** Section 2 (and 3) for one data-set size. */
export async function knowledgeLevel(options: LevelOptions): Promise<LevelFigures> {
  const developments = Math.max(1, Math.round(options.claims / 10));
  const generator = new DatasetGenerator({
    developments,
    developmentsPerTopic: options.developmentsPerTopic,
    sources: options.sources,
    seed: options.seed,
  });
  const storeName = options.store?.kind ?? 'sqlite';
  options.log(`level ${options.claims} claims (${storeName}): loading ${developments} developments through the port`);
  const load = await loadDataset(options, generator);
  const dataset = { ...generator.stats };
  options.log(`  loaded ${dataset.events} events (${dataset.claims} claims) in ${(load.ms / 1000).toFixed(1)} s`);

  options.log('  section 3: raw read and projection rebuild from 0');
  const rebuilt = await rebuild(options);
  options.log(`  rebuilt ${rebuilt.rebuild.events} events in ${(rebuilt.rebuild.ms / 1000).toFixed(1)} s`);

  // Without the page cache: these runs (and the fold checks) measure the queries, as every request after a write meets them.
  const { app, base, close } = await listeningApp(options, loadConfig(appEnvironment(options, NO_PAGE_CACHE), process.cwd()));
  try {
    const queries = buildQueries(options, dataset.topics, load.phase1End);
    const paths = queries.map((query) => query.path);
    for (const query of queries.slice(0, 3)) {
      const { status, body } = await getJson(`${base}${query.path}`);
      if (status !== 200) throw new Error(`GET ${query.path} answered ${status}: ${JSON.stringify(body).slice(0, 500)}`);
    }

    let statistics: string | undefined;
    if (options.store?.kind === 'postgres') {
      statistics = await postgresStatistics(options.store.databaseUrl);
      options.log(`  planner statistics: ${statistics}`);
    }

    const http = await measureHttp(options, base, paths);
    // A diagnosis, not the figure: the same runs once the planner has statistics, when it had none
    // or stale ones (the app leaves ANALYZE to autovacuum, which may be off or not have run yet).
    let httpAfterAnalyze: HttpFigures[] | undefined;
    if (options.store?.kind === 'postgres' && options.analyzeAndRepeat && /NEVER analysed|stale/.test(statistics ?? '')) {
      const start = performance.now();
      await analyzeReadModel(options.store.databaseUrl);
      options.log(`  ANALYZE of the read model took ${(performance.now() - start).toFixed(0)} ms; the HTTP runs again`);
      httpAfterAnalyze = await measureHttp(options, base, paths);
    }

    // Each app its own, after this one closed (the data dir is locked by the one that appends).
    const measureVariants = options.settings && options.store?.kind !== 'postgres' ? () => measureSettings(options, paths) : undefined;

    // The baseline: the pure fold over the whole log, read once (after the load runs, so the log
    // held in memory does not slow the server's garbage collection while it is measured).
    options.log('  fold baseline: reading the whole log');
    const store = app.get<EventStore>(EVENT_STORE);
    let log: LoggedEvent[] = [];
    const readStart = performance.now();
    const logEvents = await readWholeLog(store, (page) => {
      for (const stored of page) {
        const event = upcast(stored);
        log.push({ type: event.type, data: event.data, recordedAt: event.recordedAt });
      }
    });
    const logReadMs = performance.now() - readStart;
    const checks: QueryCheck[] = [];
    for (const query of queries.slice(0, options.checks)) {
      remaining(options.deadline);
      const { status, body } = await getJson(`${base}${query.path}`);
      if (status !== 200) throw new Error(`GET ${query.path} answered ${status}`);
      if (body.nextCursor !== null) throw new Error(`GET ${query.path} has more than one page; raise limit`);
      const at = timePointOf(query);
      const start = performance.now();
      const folded = replayKnowledge(log, at, { topics: [query.topic] });
      const foldMs = performance.now() - start;
      const verdict = compare(body.items as DevelopmentView[], folded);
      options.log(`    fold ${foldMs.toFixed(0)} ms, ${folded.length} items, match ${verdict.ids}/${verdict.full} for ${query.path}`);
      checks.push({
        path: query.path,
        foldMs,
        apiItems: (body.items as unknown[]).length,
        foldItems: folded.length,
        idsAndStatusesMatch: verdict.ids,
        fullViewsMatch: verdict.full,
        firstDifference: verdict.first,
      });
    }
    log = [];
    const perQueryMs = checks.map((check) => check.foldMs);
    await close();
    const bySetting = await measureVariants?.();
    return {
      store: storeName,
      claimsTarget: options.claims,
      dataset,
      head: rebuilt.head,
      load: { ms: load.ms, eventsPerSec: (dataset.events / load.ms) * 1000 },
      rawRead: rebuilt.rawRead,
      rebuild: rebuilt.rebuild,
      pathTemplate: '/v1/knowledge?topic=<topic>&asOf=<YYYY-MM-DD>&limit=500[&recordedAsOf=<end of phase 1>]',
      http,
      fold: { logEvents, logReadMs, medianMs: median(perQueryMs), perQueryMs },
      checks,
      statistics,
      httpAfterAnalyze,
      bySetting,
    };
  } finally {
    await close();
  }
}

/** An app on a loopback port with its read model caught up, tracked for cleanup; `close` (once) stops it. */
async function listeningApp(options: LevelOptions, config: AppConfig): Promise<{ app: NestFastifyApplication; base: string; close: () => Promise<void> }> {
  const app: NestFastifyApplication = await createApp(config);
  const closeApp = once(() => app.close());
  const untrack = options.track('app', closeApp);
  const close = async () => {
    untrack();
    await closeApp();
  };
  try {
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    await waitForNoLag(base, Math.min(options.deadline, Date.now() + 600_000));
    return { app, base, close };
  } catch (error) {
    await close();
    throw error;
  }
}
