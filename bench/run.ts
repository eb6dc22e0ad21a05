import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppendFigures, appendBenchmark } from './append-bench';
import { LevelFigures, NO_PAGE_CACHE, type ServerSetting, Tracker, knowledgeLevel } from './knowledge-bench';
import { BENCH_DATABASE_URL, type BenchSchema, createBenchSchema, dropAfterExitScript, probePostgres, redactUrl } from './postgres';
import { PG_APPEND_MODES, type PgAppendResult, postgresAppendBenchmark } from './postgres-append-bench';
import { RunResources, numberEnv } from './harness';
import { fmtInt, fmtMs, fmtNum, fmtRatio, median, once, table, verdict } from './stats';

/**
 * `npm run bench`: every figure is a ratio against a baseline measured in the same run.
 *   BENCH_SCALE         1 = full size (100k and 1M claims; PostgreSQL level 1M), about an hour on 2 cores; default 0.3
 *                       (30k and 300k; PostgreSQL level 100k, with a SQLite level of 100k beside it), about 13 min
 *   BENCH_DIR           where the temporary data directory is made (default: the OS temp dir); removed at the end
 *   BENCH_SEED          PRNG seed (default 20241018)
 *   BENCH_HTTP_SECONDS  length of each autocannon run (default 10)
 *   BENCH_TIMEOUT_S     limit for the whole run (default 15 min + 45 min × BENCH_SCALE + 6 ms per PostgreSQL-level claim): exit 3 after it
 *   BENCH_DATABASE_URL  PostgreSQL for the PostgreSQL sections (default TEST_DATABASE_URL, then
 *                       postgres://postgres@127.0.0.1:5432/test); each section works in a fresh schema, dropped after
 *   BENCH_POSTGRES      0 skips the PostgreSQL sections (they are skipped, with the reason, when the server is unreachable)
 *   BENCH_PG_CLAIMS     claims in the PostgreSQL knowledge level (default: the largest level, at most 100k below scale 1)
 * Exit codes: 0 done, 1 error (or the API disagreeing with the fold), 3 time limit, 130/143 signal.
 * Progress goes to stderr; the markdown report to stdout and bench/results/latest.md.
 */

const DEFAULT_SCALE = 0.3;
const DEFAULT_SEED = 20241018;
const DEFAULT_HTTP_SECONDS = 10;
const ROTATION = 56;
const PG_CLAIMS_CAP_BELOW_FULL_SCALE = 100_000;
/**
 * The `/v1/knowledge` runs again per server setting (SQLite): as configured by default (the page
 * cache answers a request seen since the last write), without the cache (every request queried),
 * and without it on one read worker thread.
 */
const SERVER_SETTINGS: readonly ServerSetting[] = [
  { name: 'page cache (default)', env: {} },
  NO_PAGE_CACHE,
  { name: `${NO_PAGE_CACHE.name}, 1 read thread`, env: { ...NO_PAGE_CACHE.env, TIMELINE_READ_THREADS: '1' } },
  { name: `${NO_PAGE_CACHE.name}, 2 read threads`, env: { ...NO_PAGE_CACHE.env, TIMELINE_READ_THREADS: '2' } },
];
const KNOWLEDGE_TARGET_PER_SEC = 3000;
const KNOWLEDGE_TARGET_P99_MS = 25;


const scale = numberEnv('BENCH_SCALE', DEFAULT_SCALE, (v) => v > 0 && v <= 10);
const seed = numberEnv('BENCH_SEED', DEFAULT_SEED, (v) => Number.isInteger(v) && v >= 0);
const httpSeconds = numberEnv('BENCH_HTTP_SECONDS', DEFAULT_HTTP_SECONDS, (v) => Number.isInteger(v) && v >= 1 && v <= 600);
const parentDir = resolve(process.env.BENCH_DIR || tmpdir());
const levels = [100_000, 1_000_000].map((claims) => Math.max(1000, Math.round((claims * scale) / 1000) * 1000));
const postgresWanted = process.env.BENCH_POSTGRES !== '0';
/**
 * Claims in the PostgreSQL knowledge level. Loading and rebuilding through PostgreSQL run at about a
 * quarter of SQLite's pace (~3 ms per claim on 2 cores), so below full size the level is capped at
 * 100k claims (300k at the default scale would add ~15 min to a ~10 min run); BENCH_SCALE=1 runs it at 1M.
 * A SQLite level of the same size (same seed, same data) runs too, for the p99 ratio.
 */
const pgClaims = numberEnv(
  'BENCH_PG_CLAIMS',
  scale >= 1 ? levels[levels.length - 1] : Math.min(levels[levels.length - 1], PG_CLAIMS_CAP_BELOW_FULL_SCALE),
  (v) => Number.isInteger(v) && v >= 1000,
);
/** The SQLite levels, by size: the scale's, and the PostgreSQL level's if it is not one of them (its twin). */
const sqliteLevels = (postgresWanted && !levels.includes(pgClaims) ? [...levels, pgClaims] : levels).slice().sort((a, b) => a - b);
/** A level's data set depends on its size only: the scale's levels keep their seeds whatever is added. */
const levelSeed = (claims: number): number => seed + (levels.includes(claims) ? levels.indexOf(claims) : levels.length);
/** The SQLite sections take ~15 min × scale; PostgreSQL adds up to ~6 ms per claim of its level (twice the expected). */
const timeoutSec = numberEnv('BENCH_TIMEOUT_S', Math.round(900 + 2700 * scale + (postgresWanted ? 0.006 * pgClaims : 0)), (v) => v >= 10);

const startedAt = Date.now();
const deadline = startedAt + timeoutSec * 1000;
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

const resources = new RunResources(log);
const track: Tracker = resources.track;

let watchdogWorker: Worker | undefined;
const liveSchemas = new Set<string>();

/** Tells the hard watchdog which schemas to drop (from a detached process) if it has to kill the run. */
function tellWatchdog(): void {
  const dropScript = liveSchemas.size > 0 ? dropAfterExitScript(process.pid, BENCH_DATABASE_URL, [...liveSchemas]) : undefined;
  watchdogWorker?.postMessage({ dropScript });
}

/** A fresh PostgreSQL schema, dropped by `release`, or on error, signal or time limit. */
async function benchSchema(): Promise<{ schema: BenchSchema; release: () => Promise<void> }> {
  const schema = await createBenchSchema(BENCH_DATABASE_URL);
  liveSchemas.add(schema.schema);
  tellWatchdog();
  log(`  schema ${schema.schema} created`);
  const drop = once(async () => {
    await schema.drop();
    liveSchemas.delete(schema.schema);
    tellWatchdog();
    log(`  schema ${schema.schema} dropped`);
  });
  const untrack = track(`schema ${schema.schema}`, drop);
  return {
    schema,
    release: async () => {
      untrack();
      await drop();
    },
  };
}

const cleanup = (): Promise<void> => resources.cleanup();

let failing = false;

async function fail(message: string, code: number): Promise<never> {
  // After a signal or an error, what fails because the clean-up closed it under the run is no news.
  if (failing) return new Promise<never>(() => undefined);
  failing = true;
  process.stderr.write(`bench: ${message}\n`);
  await cleanup().catch(() => undefined);
  process.exit(code);
}

const FS_TYPES: Record<number, string> = {
  0xef53: 'ext4',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x6969: 'nfs',
};

function fsType(path: string): string {
  try {
    const type = Number(statfsSync(path).type);
    return FS_TYPES[type] ?? `0x${type.toString(16)}`;
  } catch {
    return 'unknown';
  }
}

function reproduceCommand(): string {
  const env = [`BENCH_SCALE=${scale}`];
  if (process.env.BENCH_DIR) env.push(`BENCH_DIR=${process.env.BENCH_DIR}`);
  if (seed !== DEFAULT_SEED) env.push(`BENCH_SEED=${seed}`);
  if (httpSeconds !== DEFAULT_HTTP_SECONDS) env.push(`BENCH_HTTP_SECONDS=${httpSeconds}`);
  if (process.env.BENCH_TIMEOUT_S) env.push(`BENCH_TIMEOUT_S=${timeoutSec}`);
  if (process.env.BENCH_DATABASE_URL) env.push(`BENCH_DATABASE_URL='${redactUrl(process.env.BENCH_DATABASE_URL)}'`);
  else if (process.env.TEST_DATABASE_URL) env.push(`TEST_DATABASE_URL='${redactUrl(process.env.TEST_DATABASE_URL)}'`);
  if (!postgresWanted) env.push('BENCH_POSTGRES=0');
  if (process.env.BENCH_PG_CLAIMS) env.push(`BENCH_PG_CLAIMS=${pgClaims}`);
  return `${env.join(' ')} npm run bench`;
}

/** Whether the PostgreSQL sections ran, and on what. */
type PostgresState = Readonly<{ ok: true; version: string } | { ok: false; reason: string }>;

type Part = Readonly<{ name: string; ms: number }>;

const storeName = (r: LevelFigures): string => (r.store === 'postgres' ? 'PostgreSQL' : 'SQLite');

/** The SQLite level with the same data set as a PostgreSQL level (same size, same seed). */
function sqliteTwin(results: readonly LevelFigures[], r: LevelFigures): LevelFigures | undefined {
  return results.find((other) => other.store === 'sqlite' && other.claimsTarget === r.claimsTarget);
}

const httpAt = (r: LevelFigures, connections: number) => r.http.find((h) => h.connections === connections);

function report(
  append: AppendFigures[],
  pgAppend: PgAppendResult | undefined,
  postgres: PostgresState,
  results: LevelFigures[],
  parts: readonly Part[],
  elapsedMs: number,
  fs: string,
): string {
  const out: string[] = [];
  const pgResults = results.filter((r) => r.store === 'postgres');
  out.push('# Timeline benchmark', '');
  out.push(
    table(
      ['', ''],
      [
        ['started', new Date(startedAt).toISOString()],
        ['wall time', fmtMs(elapsedMs)],
        ['machine', `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${fmtNum(totalmem() / 2 ** 30, 1)} GiB`],
        ['node', process.version],
        ['data dir', `${parentDir} (${fs})`],
        ['PostgreSQL', postgres.ok ? `${postgres.version} at ${redactUrl(BENCH_DATABASE_URL)} (a fresh schema per section, dropped after)` : `sections skipped: ${postgres.reason}`],
        [
          'BENCH_SCALE',
          `${scale} (claims per level: ${levels.map(fmtInt).join(', ')}; PostgreSQL level: ${postgres.ok ? `${fmtInt(pgClaims)}${levels.includes(pgClaims) ? '' : ', with a SQLite level of that size'}` : 'skipped'}; full size = 1)`,
        ],
        ['seed', String(seed)],
      ],
    ),
    '',
    'Every figure is set against a baseline measured in this same run on this machine; read the ratios, not the absolute numbers.',
    '',
  );

  out.push('## Summary', '');
  const summary: string[][] = [];
  for (const row of append) {
    if (row.mode === 'concurrent') {
      summary.push([`append (SQLite), ${row.writers} concurrent writers of one event per call: port / raw at 100 events per transaction`, '≥ 0.5', `${fmtNum(row.ratio)} (${fmtNum(row.transactionsPerAppend ?? Number.NaN, 3)} transactions per append; ${sameTransactions(row)})`, verdict(row.ratio >= 0.5)]);
      continue;
    }
    summary.push([`append (SQLite), ${row.eventsPerAppend === 1 ? 'one event' : `${row.eventsPerAppend} events`} per transaction: port / raw`, '≥ 0.5', fmtNum(row.ratio), verdict(row.ratio >= 0.5)]);
  }
  for (const row of pgAppend?.figures ?? []) {
    summary.push([
      `append (PostgreSQL), one event per transaction, ${row.writers} writer${row.writers === 1 ? '' : 's'}: port / raw`,
      '≥ 0.5',
      fmtNum(row.ratio),
      verdict(row.ratio >= 0.5),
    ]);
  }
  if (!postgres.ok) summary.push(['PostgreSQL sections (append, knowledge level)', 'run', `skipped: ${postgres.reason}`, 'SKIPPED']);
  for (const r of results) {
    const single = httpAt(r, 1) ?? r.http[0];
    const ratio = r.fold.medianMs / single.p50Ms;
    const level = `${fmtInt(r.dataset.claims)} claims, ${storeName(r)}`;
    summary.push([`/v1/knowledge p99, 1 connection, ${level}`, '≤ 20 ms', fmtMs(single.p99Ms), verdict(single.p99Ms <= 20)]);
    summary.push([`fold / /v1/knowledge p50, ${level}`, '≥ 100×', fmtRatio(ratio), verdict(ratio >= 100)]);
    const ok = r.checks.every((c) => c.idsAndStatusesMatch);
    summary.push([`API items (ids, statuses) = fold, ${level}`, 'equal', `${r.checks.filter((c) => c.idsAndStatusesMatch).length}/${r.checks.length} queries`, ok ? 'MATCH' : 'MISMATCH']);
  }
  for (const r of pgResults) {
    const twin = sqliteTwin(results, r);
    for (const connections of [1, 8]) {
      const pg = httpAt(r, connections);
      const lite = twin && httpAt(twin, connections);
      if (!pg) continue;
      const ratio = lite ? pg.p99Ms / lite.p99Ms : Number.NaN;
      summary.push([
        `/v1/knowledge p99 PostgreSQL / SQLite, ${connections} connection${connections === 1 ? '' : 's'}, ${fmtInt(r.dataset.claims)} claims`,
        '≤ 2',
        lite ? `${fmtNum(ratio)} (${fmtMs(pg.p99Ms)} / ${fmtMs(lite.p99Ms)})` : 'no SQLite level of this size',
        lite ? verdict(ratio <= 2) : '',
      ]);
    }
    for (const h of r.httpAfterAnalyze ?? []) {
      const lite = twin && httpAt(twin, h.connections);
      if (!lite) continue;
      summary.push([
        `(diagnosis) the same after an ANALYZE the app does not run, ${h.connections} connection${h.connections === 1 ? '' : 's'}`,
        '(none)',
        `${fmtNum(h.p99Ms / lite.p99Ms)} (${fmtMs(h.p99Ms)} / ${fmtMs(lite.p99Ms)})`,
        '',
      ]);
    }
  }
  for (const r of results) {
    const runs = r.bySetting ?? [];
    const healths = runs.flatMap((run) => (run.health ? [run.health] : []));
    for (const setting of [...new Set(runs.map((run) => run.setting))]) {
      const at8 = runs.filter((run) => run.setting === setting).flatMap((run) => run.http.filter((h) => h.connections === 8));
      if (at8.length === 0) continue;
      const perSec = median(at8.map((h) => h.reqPerSec));
      const p99 = median(at8.map((h) => h.p99Ms));
      const floor = healths.length > 0 ? median(healths.map((h) => h.reqPerSec)) : Number.NaN;
      summary.push([
        `GET /v1/knowledge, ${setting}, 8 connections, ${fmtInt(r.dataset.claims)} claims (median of rounds)`,
        `≥ ${fmtInt(KNOWLEDGE_TARGET_PER_SEC)} req/s, p99 ≤ ${KNOWLEDGE_TARGET_P99_MS} ms`,
        `${fmtInt(perSec)} req/s, p99 ${fmtMs(p99)}; ${fmtNum(perSec / floor)}× GET /health (${fmtInt(floor)} req/s)`,
        verdict(perSec >= KNOWLEDGE_TARGET_PER_SEC && p99 <= KNOWLEDGE_TARGET_P99_MS),
      ]);
    }
  }
  for (const r of results) {
    summary.push([`projection rebuild / raw read, ${fmtInt(r.dataset.claims)} claims, ${storeName(r)}`, '(none)', fmtNum(r.rebuild.eventsPerSec / r.rawRead.eventsPerSec, 4), '']);
  }
  out.push(table(['measure', 'target', 'measured', 'verdict'], summary), '');

  out.push('## 1. Append throughput: event store port vs raw better-sqlite3', '');
  out.push(
    'Port: `SqliteEventStore` from `openStorage`, `append(stream, events, "any")`; a lone writer gets one transaction per call, concurrent writers share them (group commit). ' +
      'Raw: a better-sqlite3 `INSERT` loop on a file with the same `events` table and indexes (DDL copied from the port\'s file), ' +
      'WAL + `synchronous=FULL`, one transaction per insert / per 100 inserts. Port and raw take turns every 50 single / 10 batched appends (alternating which goes first) so both see the same disk; ' +
      'events/s are medians over rounds (a warm-up round is discarded), the ratio is the median of the per-round ratios. ' +
      'Concurrent writers append to a stream each, so a commit holds one event of each stream, where the raw loop\'s 100 go to one stream: ' +
      'beside it, the raw loop committing the same events as group commit does at best (as many a transaction as writers, one to each of as many streams) shows what SQLite itself allows that workload.',
    '',
  );
  out.push(
    table(
      ['appends of', 'events/round × rounds', 'port events/s', 'raw events/s', 'port/raw (median of rounds)', 'per-round ratios', 'target ≥ 0.5'],
      append.map((row) => [
        row.mode === 'concurrent'
          ? `1 event, ${row.writers} writers at once (raw: 100 events per transaction); ${fmtNum(row.transactionsPerAppend ?? Number.NaN, 3)} transactions per append; ${sameTransactions(row)}`
          : `${row.eventsPerAppend} event${row.eventsPerAppend === 1 ? '' : 's'}`,
        `${fmtInt(row.eventsPerRound)} × ${row.rounds}`,
        fmtInt(row.portEventsPerSec),
        fmtInt(row.rawEventsPerSec),
        fmtNum(row.ratio),
        row.roundRatios.map((r) => r.toFixed(2)).join(', '),
        verdict(row.ratio >= 0.5),
      ]),
    ),
    '',
  );

  out.push('## 1b. Append throughput on PostgreSQL: `PostgresEventStore` vs a raw `pg` insert loop', '');
  if (!pgAppend) {
    out.push(`Skipped: ${postgres.ok ? 'not run' : postgres.reason}.`, '');
  } else {
    out.push(
      'Port: `PostgresEventStore` from `openStorage` (its pool, at most 10 connections), `append(stream, [event], "any")`: one event per call; ' +
        'appends that arrive while a transaction is in flight are committed together in the next (`timeline_append_batch`: advisory lock, head read, ' +
        'per append a retried-ids and version read and an INSERT, one `pg_notify`, COMMIT), so a lone writer gets a transaction per append. ' +
        'Raw: one autocommit `INSERT` per event on `raw_events`, made `LIKE events INCLUDING ALL` in the same schema (same columns, primary key, unique constraints and indexes), ' +
        'positions and stream versions counted in the process, one dedicated `pg` connection per writer. Same server, same durability (the server\'s `synchronous_commit`, default `on`). ' +
        'With N writers, N loops run at once (the port\'s each call `append`, the raw ones each own a connection); port and raw take turns in chunks (alternating which goes first); ' +
        'events/s are medians over rounds (a warm-up round is discarded), the ratio is the median of the per-round ratios. ' +
      'Concurrent writers append to a stream each, so a commit holds one event of each stream, where the raw loop\'s 100 go to one stream: ' +
      'beside it, the raw loop committing the same events as group commit does at best (as many a transaction as writers, one to each of as many streams) shows what SQLite itself allows that workload.',
      '',
    );
    out.push(
      table(
        ['writers', 'events/round × rounds', 'port events/s', 'raw events/s', 'port/raw (median of rounds)', 'per-round ratios', 'target ≥ 0.5'],
        pgAppend.figures.map((row) => [
          String(row.writers),
          `${fmtInt(row.eventsPerRound)} × ${row.rounds}`,
          fmtInt(row.portEventsPerSec),
          fmtInt(row.rawEventsPerSec),
          fmtNum(row.ratio),
          row.roundRatios.map((r) => r.toFixed(2)).join(', '),
          verdict(row.ratio >= 0.5),
        ]),
      ),
      '',
    );
    out.push(
      'Why the writers differ: the port commits one transaction at a time (one advisory lock, held until the commit is durable: that is what makes positions gap-free and commit-ordered), ' +
        'so 8 writers share each commit by group commit, while 8 raw connections commit in parallel and share WAL flushes; the 1-writer ratio measures the port\'s per-append work.',
      '',
      `Afterwards: ${fmtInt(pgAppend.portEvents)} port events with positions ${pgAppend.portPositionsGapFree ? '1..n, gap-free' : 'NOT gap-free or incomplete'}; ` +
        `${fmtInt(pgAppend.rawEvents)} raw rows${pgAppend.rawRowsComplete ? ', all there' : ', SOME MISSING'}.`,
      '',
    );
  }

  out.push('## 2. `GET /v1/knowledge` latency vs the pure replay fold', '');
  out.push(
    'Data: generated with a seeded PRNG and appended through the store port, one append per development stream ' +
      '(its `DevelopmentRecorded` with an EDTF `occurred` on ~80 %, 5–15 `ClaimReported` of every stance (~10 % assessments with a likelihood, ~5 % no-evidence) ' +
      'with quantities of four measures on ~40 % (a tenth of them ranges), relays on ~10 % and repetitions on ~5 %, ~half of the ~5 % retractions); then, recorded later, ' +
      'the other retractions, `ClaimCorrected` (~3 % of claims), `DevelopmentCorrected` (~5 % of developments) and `DevelopmentRevised` (~10 %, known 1–60 days after the first claim; ' +
      'new titles, topics or dates). ~100 developments per topic; 40 `SourceRegistered` (~30 % sharing an affiliation), half rated again. ' +
      'Every event in today\'s shape. The PostgreSQL level loads the same data set (same size, same seed) as the SQLite level of its size.',
    '',
  );
  out.push(
    table(
      ['store', 'claims (target)', 'claims', 'developments', 'topics', 'retractions', 'claim corr.', 'dev. corr.', 'revisions', 'events', 'load through port'],
      results.map((r) => [
        storeName(r),
        fmtInt(r.claimsTarget),
        fmtInt(r.dataset.claims),
        fmtInt(r.dataset.developments),
        fmtInt(r.dataset.topics),
        fmtInt(r.dataset.retractions),
        fmtInt(r.dataset.claimCorrections),
        fmtInt(r.dataset.developmentCorrections),
        fmtInt(r.dataset.revisions),
        fmtInt(r.dataset.events),
        `${fmtInt(r.load.eventsPerSec)} events/s (${fmtMs(r.load.ms)})`,
      ]),
    ),
    '',
  );
  out.push(
    `Requests: autocannon (in a worker thread) against \`app.listen(0, '127.0.0.1')\` from \`createApp\` ` +
      `(TIMELINE_SEED=none, LOG_LEVEL=silent, TIMELINE_KNOWLEDGE_CACHE_MB=0 so that every request runs its queries; the page cache is measured below; SQLite: the level's data dir; PostgreSQL: TIMELINE_EVENT_STORE=postgres, DATABASE_URL=the level's schema) ` +
      `once the projection had caught up (the section-3 rebuild), rotating over ${ROTATION} distinct ` +
      `\`${results[0]?.pathTemplate ?? ''}\` (topics and asOf vary; every fourth pins recordedAsOf before the late corrections), ` +
      `after /health showed lag 0 and a warm-up run. Latency percentiles are exact, from every 2xx response time.`,
    '',
  );
  out.push(
    table(
      ['store', 'claims', 'connections', 'requests', 'req/s', 'p50', 'p90', 'p99', 'max', 'p99 ≤ 20 ms'],
      results.flatMap((r) =>
        [...r.http.map((h) => ({ h, label: storeName(r) })), ...(r.httpAfterAnalyze ?? []).map((h) => ({ h, label: `${storeName(r)}, after ANALYZE (diagnosis)` }))].map(({ h, label }) => [
          label,
          fmtInt(r.dataset.claims),
          String(h.connections),
          fmtInt(h.requests),
          fmtInt(h.reqPerSec),
          fmtMs(h.p50Ms),
          fmtMs(h.p90Ms),
          fmtMs(h.p99Ms),
          fmtMs(h.maxMs),
          verdict(h.p99Ms <= 20),
        ]),
      ),
    ),
    '',
  );
  const settingRows = results.flatMap((r) =>
    (r.bySetting ?? []).flatMap(({ setting, round, http }) => {
      const health = r.bySetting?.find((other) => other.round === round && other.health)?.health;
      return http.map((h) => [
        fmtInt(r.dataset.claims),
        setting,
        String(round + 1),
        String(h.connections),
        fmtInt(h.reqPerSec),
        fmtMs(h.p50Ms),
        fmtMs(h.p99Ms),
        health && h.connections === health.connections ? `${fmtInt(health.reqPerSec)} (${fmtNum(h.reqPerSec / health.reqPerSec)}×)` : '',
        h.connections === 8 ? verdict(h.reqPerSec >= KNOWLEDGE_TARGET_PER_SEC && h.p99Ms <= KNOWLEDGE_TARGET_P99_MS) : '',
      ]);
    }),
  );
  if (settingRows.length > 0) {
    out.push(
      '### Server settings (SQLite): page cache, read worker threads',
      '',
      'The same runs on a fresh app per setting, in alternating rounds. `page cache (default)`: pages asked with `asOf` are kept as JSON for the read ' +
        'model\'s position, so after the first pass over the rotation every request is answered from memory (no write happens during the runs); ' +
        '`no page cache` (`TIMELINE_KNOWLEDGE_CACHE_MB=0`): every request runs its queries, as the first request after a write does. ' +
        `Baseline: \`GET /health\` on the round's first app at the same connections. Issue 16's target at 8 connections: ≥ ${fmtInt(KNOWLEDGE_TARGET_PER_SEC)} req/s with p99 ≤ ${KNOWLEDGE_TARGET_P99_MS} ms. ` +
        'autocannon runs in this process too, so on 2 cores the load generator, the HTTP thread and any read worker share them.',
      '',
      table(['claims', 'setting', 'round', 'connections', 'req/s', 'p50', 'p99', 'GET /health req/s (ratio)', `≥ ${fmtInt(KNOWLEDGE_TARGET_PER_SEC)}/s, p99 ≤ ${KNOWLEDGE_TARGET_P99_MS} ms`], settingRows),
      '',
    );
  }
  for (const r of pgResults) {
    if (r.statistics) out.push(`PostgreSQL planner statistics when the HTTP runs started (${fmtInt(r.dataset.claims)} claims; the app leaves ANALYZE to autovacuum): ${r.statistics}.`, '');
    if (r.httpAfterAnalyze) {
      out.push(
        'Since they were missing or stale, the read model was then analysed (`ANALYZE` of its five tables) and the runs repeated: the "after ANALYZE" rows. ' +
          'They show what statistics change; the figures the targets are judged on are the ones before, the app as it runs.',
        '',
      );
    }
  }
  out.push(
    'Baseline: `replayKnowledge` (src/domain/knowledge/knowledge.replay.ts) over the whole log, read once from the store ' +
      '(`readAll` pages of 1000, upcast), one fold per query, timed alone; compared with the API\'s answer to the same query.',
    '',
  );
  out.push(
    table(
      ['store', 'claims', 'log events', 'log read', 'fold per query (median)', 'API p50 (1 conn.)', 'fold / p50', 'target ≥ 100×', 'API = fold (ids, statuses)', 'API = fold (whole views)'],
      results.map((r) => {
        const p50 = httpAt(r, 1)?.p50Ms ?? r.http[0]?.p50Ms ?? Number.NaN;
        const ratio = r.fold.medianMs / p50;
        const ids = r.checks.filter((c) => c.idsAndStatusesMatch).length;
        const full = r.checks.filter((c) => c.fullViewsMatch).length;
        return [
          storeName(r),
          fmtInt(r.dataset.claims),
          fmtInt(r.fold.logEvents),
          fmtMs(r.fold.logReadMs),
          fmtMs(r.fold.medianMs),
          fmtMs(p50),
          fmtRatio(ratio),
          verdict(ratio >= 100),
          `${ids === r.checks.length ? 'MATCH' : 'MISMATCH'} (${ids}/${r.checks.length})`,
          `${full === r.checks.length ? 'MATCH' : 'MISMATCH'} (${full}/${r.checks.length})`,
        ];
      }),
    ),
    '',
  );
  out.push('Queries checked (and folded):', '');
  out.push(
    table(
      ['store', 'claims', 'query', 'API items', 'fold items', 'fold', 'ids+statuses', 'whole views'],
      results.flatMap((r) =>
        r.checks.map((c) => [
          storeName(r),
          fmtInt(r.dataset.claims),
          `\`${decodeURIComponent(c.path)}\``,
          String(c.apiItems),
          String(c.foldItems),
          fmtMs(c.foldMs),
          c.idsAndStatusesMatch ? 'match' : 'MISMATCH',
          c.fullViewsMatch ? 'match' : 'MISMATCH',
        ]),
      ),
    ),
    '',
  );
  const differences = results.flatMap((r) =>
    r.checks.filter((c) => c.firstDifference).map((c) => `- ${storeName(r)}, ${fmtInt(r.dataset.claims)} claims, \`${decodeURIComponent(c.path)}\`: ${c.firstDifference}`),
  );
  if (differences.length > 0) out.push('First differences:', '', ...differences, '');

  out.push('## 3. Projection rebuild from position 0 vs raw sequential read', '');
  out.push(
    'Rebuild: a new `ProjectionRunner` + `KnowledgeProjection` over the loaded log with an empty read model (no checkpoint), ' +
      'timed from `start()` until its checkpoint reaches the head. Raw: `store.readAll` in pages of 1000 (rows parsed into ' +
      '`StoredEvent`s, JSON included), median of the rounds, same store (SQLite: the same file; PostgreSQL: the same schema).',
    '',
  );
  out.push(
    table(
      ['store', 'claims', 'events', 'rebuild time', 'rebuild events/s', 'raw read time', 'raw read events/s', 'rebuild/raw'],
      results.map((r) => [
        storeName(r),
        fmtInt(r.dataset.claims),
        fmtInt(r.rebuild.events),
        fmtMs(r.rebuild.ms),
        fmtInt(r.rebuild.eventsPerSec),
        fmtMs(r.rawRead.ms),
        fmtInt(r.rawRead.eventsPerSec),
        fmtNum(r.rebuild.eventsPerSec / r.rawRead.eventsPerSec, 4),
      ]),
    ),
    '',
  );

  out.push('## Time by part', '');
  out.push(table(['part', 'wall time'], parts.map((part) => [part.name, fmtMs(part.ms)])), '');

  out.push('## Reproduce', '', '```sh', reproduceCommand(), '```', '');
  return out.join('\n');
}

/** A concurrent row against the raw loop committing what group commit commits at best. */
function sameTransactions(row: AppendFigures): string {
  const same = row.sameTransactions;
  if (!same) return '';
  return `port / raw at ${row.writers} events a transaction over ${row.writers} streams: ${fmtNum(same.ratio)} (${fmtInt(same.rawEventsPerSec)} events/s; rounds ${same.roundRatios.map((r) => r.toFixed(2)).join(', ')})`;
}

/**
 * The last resort, on its own thread: if the main thread is stuck (a loop of awaits on synchronous
 * SQLite never lets a timer fire), remove the data and kill the process a minute after the limit.
 */
function hardWatchdog(dir: string, ms: number): Worker {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    const { spawn } = require('node:child_process');
    let dropScript;
    parentPort.on('message', (message) => { dropScript = message.dropScript; });
    setTimeout(() => {
      try { fs.writeSync(2, 'bench: hard time limit reached; removing ' + workerData.dir + ' and killing the run\\n'); } catch {}
      try { fs.rmSync(workerData.dir, { recursive: true, force: true }); } catch {}
      // PostgreSQL schemas: dropped by a detached process once this one (and its connections) is gone.
      if (dropScript) {
        try { spawn(process.execPath, ['-e', dropScript], { cwd: workerData.cwd, detached: true, stdio: 'ignore' }).unref(); } catch {}
      }
      process.kill(process.pid, 'SIGKILL');
    }, workerData.ms);`;
  const worker = new Worker(code, { eval: true, workerData: { dir, ms, cwd: resolve(__dirname, '..') } });
  worker.unref();
  return worker;
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => void fail(`timed out after ${timeoutSec} s (BENCH_TIMEOUT_S)`, 3), timeoutSec * 1000);
  watchdog.unref();
  mkdirSync(parentDir, { recursive: true });
  const root = (resources.root = mkdtempSync(join(parentDir, 'timeline-bench-')));
  watchdogWorker = hardWatchdog(root, deadline - Date.now() + 60_000);
  const fs = fsType(root);
  log(`scale ${scale}: SQLite levels ${sqliteLevels.join(', ')} claims, PostgreSQL ${postgresWanted ? pgClaims : 'off'}; data in ${root} (${fs}); limit ${timeoutSec} s`);

  const parts: Part[] = [];
  const timed = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await body();
    } finally {
      parts.push({ name, ms: Date.now() - start });
      log(`${name}: ${((Date.now() - start) / 1000).toFixed(0)} s`);
    }
  };

  const postgres: PostgresState = postgresWanted
    ? await probePostgres(BENCH_DATABASE_URL)
    : { ok: false, reason: 'BENCH_POSTGRES=0' };
  log(postgres.ok ? `PostgreSQL: ${postgres.version}` : `PostgreSQL sections skipped: ${postgres.reason}`);

  log('section 1: append throughput');
  const append = await timed('1. append, SQLite', () =>
    appendBenchmark({
      dir: join(root, 'append'),
      singleEvents: 2000,
      batchEvents: 30_000,
      batchSize: 100,
      chunkAppends: { single: 50, batch: 10 },
      rounds: 5,
      streams: 100,
      concurrentWriters: [8, 64],
      concurrentEvents: 5000,
      seed,
      log: (line) => log(`  ${line}`),
    }),
  );
  rmSync(join(root, 'append'), { recursive: true, force: true });

  let pgAppend: PgAppendResult | undefined;
  if (postgres.ok) {
    log('section 1b: PostgreSQL append throughput');
    pgAppend = await timed('1b. append, PostgreSQL', async () => {
      const { schema, release } = await benchSchema();
      try {
        return await postgresAppendBenchmark({
          databaseUrl: schema.url,
          dir: join(root, 'append-postgres'),
          modes: PG_APPEND_MODES,
          rounds: 5,
          streams: 100,
          seed,
          log: (line) => log(`  ${line}`),
          track,
        });
      } finally {
        await release();
      }
    });
  }

  const levelOptions = (claims: number) => ({
    dir: join(root, `knowledge-${claims}`),
    claims,
    seed: levelSeed(claims),
    sources: 40,
    developmentsPerTopic: 100,
    rotation: ROTATION,
    checks: 5,
    warmupSec: 3,
    durationSec: httpSeconds,
    connections: [1, 8],
    settings: { variants: SERVER_SETTINGS, rounds: 2 },
    rawReadRounds: 3,
    deadline,
    log,
    track,
  });
  const results: LevelFigures[] = [];
  for (const claims of sqliteLevels) {
    const options = levelOptions(claims);
    results.push(await timed(`2+3. knowledge level, ${fmtInt(claims)} claims, SQLite`, () => knowledgeLevel(options)));
    rmSync(options.dir, { recursive: true, force: true });
  }

  if (postgres.ok) {
    const options = levelOptions(pgClaims);
    results.push(
      await timed(`2+3. knowledge level, ${fmtInt(pgClaims)} claims, PostgreSQL`, async () => {
        const { schema, release } = await benchSchema();
        try {
          return await knowledgeLevel({
            ...options,
            dir: join(root, 'knowledge-postgres'),
            store: { kind: 'postgres', databaseUrl: schema.url },
            analyzeAndRepeat: true,
          });
        } finally {
          await release();
        }
      }),
    );
  }

  const markdown = report(append, pgAppend, postgres, results, parts, Date.now() - startedAt, fs);
  const resultsDir = join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.md'), markdown);
  process.stdout.write(markdown);
  await cleanup();
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; report in bench/results/latest.md`);
  const mismatches = results.some((r) => r.checks.some((c) => !c.idsAndStatusesMatch));
  // A wrong answer is an error; a missed performance target is only reported.
  if (mismatches) process.stderr.write('bench: the API and the fold disagree (see the report); exiting 1\n');
  process.exit(mismatches ? 1 : 0);
}

process.on('SIGINT', () => void fail('interrupted', 130));
process.on('SIGTERM', () => void fail('terminated', 143));
process.on('unhandledRejection', (error) => void fail(`unhandled rejection: ${error instanceof Error ? error.stack : String(error)}`, 1));
main().catch((error: unknown) =>
  // Past the limit, whatever failed failed because of it: exit 3 like the watchdog does.
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error), Date.now() >= deadline ? 3 : 1),
);
