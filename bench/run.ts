import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AppendFigures, appendBenchmark } from './append-bench';
import { LevelFigures, Tracker, knowledgeLevel } from './knowledge-bench';
import { fmtInt, fmtMs, fmtNum, fmtRatio, table, verdict } from './stats';

/**
 * `npm run bench`: every figure is a ratio against a baseline measured in the same run.
 *   BENCH_SCALE         1 = full size (100k and 1M claims); default 0.3 (30k and 300k), under ~15 min on 2 cores
 *   BENCH_DIR           where the temporary data directory is made (default: the OS temp dir); removed at the end
 *   BENCH_SEED          PRNG seed (default 20241018)
 *   BENCH_HTTP_SECONDS  length of each autocannon run (default 10)
 *   BENCH_TIMEOUT_S     limit for the whole run (default 15 min + 45 min × BENCH_SCALE): exit 3 after it
 * Exit codes: 0 done, 1 error (or the API disagreeing with the fold), 3 time limit, 130/143 signal.
 * Progress goes to stderr; the markdown report to stdout and bench/results/latest.md.
 */

const DEFAULT_SCALE = 0.3;
const DEFAULT_SEED = 20241018;
const DEFAULT_HTTP_SECONDS = 10;
const ROTATION = 56;

function numberEnv(name: string, fallback: number, check: (value: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new Error(`${name}='${raw}' is not valid`);
  return value;
}

const scale = numberEnv('BENCH_SCALE', DEFAULT_SCALE, (v) => v > 0 && v <= 10);
const seed = numberEnv('BENCH_SEED', DEFAULT_SEED, (v) => Number.isInteger(v) && v >= 0);
const httpSeconds = numberEnv('BENCH_HTTP_SECONDS', DEFAULT_HTTP_SECONDS, (v) => Number.isInteger(v) && v >= 1 && v <= 600);
const timeoutSec = numberEnv('BENCH_TIMEOUT_S', Math.round(900 + 2700 * scale), (v) => v >= 10);
const parentDir = resolve(process.env.BENCH_DIR || tmpdir());
const levels = [100_000, 1_000_000].map((claims) => Math.max(1000, Math.round((claims * scale) / 1000) * 1000));

const startedAt = Date.now();
const deadline = startedAt + timeoutSec * 1000;
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

let root: string | undefined;
const open = new Map<number, { name: string; close: () => Promise<void> }>();
let nextId = 0;
const track: Tracker = (name, close) => {
  const id = nextId++;
  open.set(id, { name, close });
  return () => open.delete(id);
};

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const [id, { name, close }] of [...open].reverse()) {
      open.delete(id);
      await Promise.race([
        close().catch((error: unknown) => log(`closing ${name} failed: ${String(error)}`)),
        new Promise((resolve) => setTimeout(resolve, 10_000).unref()),
      ]);
    }
    if (root) {
      rmSync(root, { recursive: true, force: true });
      log(`removed ${root}`);
    }
  })();
  return cleaning;
}

async function fail(message: string, code: number): Promise<never> {
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
  return `${env.join(' ')} npm run bench`;
}

function report(append: AppendFigures[], results: LevelFigures[], elapsedMs: number, fs: string): string {
  const out: string[] = [];
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
        ['BENCH_SCALE', `${scale} (claims per level: ${levels.map(fmtInt).join(', ')}; full size = 1)`],
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
    summary.push([`append, ${row.eventsPerAppend === 1 ? 'one event' : `${row.eventsPerAppend} events`} per transaction: port / raw`, '≥ 0.5', fmtNum(row.ratio), verdict(row.ratio >= 0.5)]);
  }
  for (const r of results) {
    const single = r.http.find((h) => h.connections === 1) ?? r.http[0];
    const ratio = r.fold.medianMs / single.p50Ms;
    const claims = fmtInt(r.dataset.claims);
    summary.push([`/v1/knowledge p99, 1 connection, ${claims} claims`, '≤ 20 ms', fmtMs(single.p99Ms), verdict(single.p99Ms <= 20)]);
    summary.push([`fold / /v1/knowledge p50, ${claims} claims`, '≥ 100×', fmtRatio(ratio), verdict(ratio >= 100)]);
    const ok = r.checks.every((c) => c.idsAndStatusesMatch);
    summary.push([`API items (ids, statuses) = fold, ${claims} claims`, 'equal', `${r.checks.filter((c) => c.idsAndStatusesMatch).length}/${r.checks.length} queries`, ok ? 'MATCH' : 'MISMATCH']);
  }
  for (const r of results) {
    summary.push([`projection rebuild / raw read, ${fmtInt(r.dataset.claims)} claims`, '(none)', fmtNum(r.rebuild.eventsPerSec / r.rawRead.eventsPerSec, 4), '']);
  }
  out.push(table(['measure', 'target', 'measured', 'verdict'], summary), '');

  out.push('## 1. Append throughput: event store port vs raw better-sqlite3', '');
  out.push(
    'Port: `SqliteEventStore` from `openStorage`, `append(stream, events, "any")`, one transaction per call. ' +
      'Raw: a better-sqlite3 `INSERT` loop on a file with the same `events` table and indexes (DDL copied from the port\'s file), ' +
      'WAL + `synchronous=FULL`, one transaction per insert / per 100 inserts. Port and raw take turns every 50 single / 10 batched appends (alternating which goes first) so both see the same disk; ' +
      'events/s are medians over rounds (a warm-up round is discarded), the ratio is the median of the per-round ratios.',
    '',
  );
  out.push(
    table(
      ['appends of', 'events/round × rounds', 'port events/s', 'raw events/s', 'port/raw (median of rounds)', 'per-round ratios', 'target ≥ 0.5'],
      append.map((row) => [
        `${row.eventsPerAppend} event${row.eventsPerAppend === 1 ? '' : 's'}`,
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

  out.push('## 2. `GET /v1/knowledge` latency vs the pure replay fold', '');
  out.push(
    'Data: generated with a seeded PRNG and appended through the store port, one append per development stream ' +
      '(its `DevelopmentRecorded`, 5–15 `ClaimReported` with quantities on ~40 %, ~half of the ~5 % retractions); then, recorded later, ' +
      'the other retractions, `ClaimCorrected` (~3 % of claims) and `DevelopmentCorrected` (~5 % of developments). ' +
      '~100 developments per topic; 40 `SourceRegistered`.',
    '',
  );
  out.push(
    table(
      ['claims (target)', 'claims', 'developments', 'topics', 'retractions', 'claim corr.', 'dev. corr.', 'events', 'load through port'],
      results.map((r) => [
        fmtInt(r.claimsTarget),
        fmtInt(r.dataset.claims),
        fmtInt(r.dataset.developments),
        fmtInt(r.dataset.topics),
        fmtInt(r.dataset.retractions),
        fmtInt(r.dataset.claimCorrections),
        fmtInt(r.dataset.developmentCorrections),
        fmtInt(r.dataset.events),
        `${fmtInt(r.load.eventsPerSec)} events/s (${fmtMs(r.load.ms)})`,
      ]),
    ),
    '',
  );
  out.push(
    `Requests: autocannon (in a worker thread) against \`app.listen(0, '127.0.0.1')\` from \`createApp\` ` +
      `(TIMELINE_SEED=none, LOG_LEVEL=silent) on the data dir once the projection had caught up (the section-3 rebuild), rotating over ${ROTATION} distinct ` +
      `\`${results[0]?.pathTemplate ?? ''}\` (topics and asOf vary; every fourth pins recordedAsOf before the late corrections), ` +
      `after /health showed lag 0 and a warm-up run. Latency percentiles are exact, from every 2xx response time.`,
    '',
  );
  out.push(
    table(
      ['claims', 'connections', 'requests', 'req/s', 'p50', 'p90', 'p99', 'max', 'p99 ≤ 20 ms'],
      results.flatMap((r) =>
        r.http.map((h) => [
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
  out.push(
    'Baseline: `replayKnowledge` (src/domain/knowledge/knowledge.replay.ts) over the whole log, read once from the store ' +
      '(`readAll` pages of 1000, upcast), one fold per query, timed alone; compared with the API\'s answer to the same query.',
    '',
  );
  out.push(
    table(
      ['claims', 'log events', 'log read', 'fold per query (median)', 'API p50 (1 conn.)', 'fold / p50', 'target ≥ 100×', 'API = fold (ids, statuses)', 'API = fold (whole views)'],
      results.map((r) => {
        const p50 = r.http.find((h) => h.connections === 1)?.p50Ms ?? r.http[0]?.p50Ms ?? Number.NaN;
        const ratio = r.fold.medianMs / p50;
        const ids = r.checks.filter((c) => c.idsAndStatusesMatch).length;
        const full = r.checks.filter((c) => c.fullViewsMatch).length;
        return [
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
      ['claims', 'query', 'API items', 'fold items', 'fold', 'ids+statuses', 'whole views'],
      results.flatMap((r) =>
        r.checks.map((c) => [
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
  const differences = results.flatMap((r) => r.checks.filter((c) => c.firstDifference).map((c) => `- ${fmtInt(r.dataset.claims)} claims, \`${decodeURIComponent(c.path)}\`: ${c.firstDifference}`));
  if (differences.length > 0) out.push('First differences:', '', ...differences, '');

  out.push('## 3. Projection rebuild from position 0 vs raw sequential read', '');
  out.push(
    'Rebuild: a new `ProjectionRunner` + `KnowledgeProjection` over the loaded log with an empty read model (no checkpoint), ' +
      'timed from `start()` until its checkpoint reaches the head. Raw: `store.readAll` in pages of 1000 (rows parsed into ' +
      '`StoredEvent`s, JSON included), median of the rounds, same storage, same file.',
    '',
  );
  out.push(
    table(
      ['claims', 'events', 'rebuild time', 'rebuild events/s', 'raw read time', 'raw read events/s', 'rebuild/raw'],
      results.map((r) => [
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

  out.push('## Reproduce', '', '```sh', reproduceCommand(), '```', '');
  return out.join('\n');
}

/**
 * The last resort, on its own thread: if the main thread is stuck (a loop of awaits on synchronous
 * SQLite never lets a timer fire), remove the data and kill the process a minute after the limit.
 */
function hardWatchdog(dir: string, ms: number): void {
  const code = `
    const { workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    setTimeout(() => {
      try { fs.writeSync(2, 'bench: hard time limit reached; removing ' + workerData.dir + ' and killing the run\\n'); } catch {}
      try { fs.rmSync(workerData.dir, { recursive: true, force: true }); } catch {}
      process.kill(process.pid, 'SIGKILL');
    }, workerData.ms);`;
  new Worker(code, { eval: true, workerData: { dir, ms } }).unref();
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => void fail(`timed out after ${timeoutSec} s (BENCH_TIMEOUT_S)`, 3), timeoutSec * 1000);
  watchdog.unref();
  mkdirSync(parentDir, { recursive: true });
  root = mkdtempSync(join(parentDir, 'timeline-bench-'));
  hardWatchdog(root, deadline - Date.now() + 60_000);
  const fs = fsType(root);
  log(`scale ${scale}: levels ${levels.join(', ')} claims; data in ${root} (${fs}); limit ${timeoutSec} s`);

  log('section 1: append throughput');
  const append = await appendBenchmark({
    dir: join(root, 'append'),
    singleEvents: 2000,
    batchEvents: 30_000,
    batchSize: 100,
    chunkAppends: { single: 50, batch: 10 },
    rounds: 5,
    streams: 100,
    seed,
    log: (line) => log(`  ${line}`),
  });
  rmSync(join(root, 'append'), { recursive: true, force: true });

  const results: LevelFigures[] = [];
  for (const [index, claims] of levels.entries()) {
    const dir = join(root, `knowledge-${claims}`);
    results.push(
      await knowledgeLevel({
        dir,
        claims,
        seed: seed + index,
        sources: 40,
        developmentsPerTopic: 100,
        rotation: ROTATION,
        checks: 5,
        warmupSec: 3,
        durationSec: httpSeconds,
        connections: [1, 8],
        rawReadRounds: 3,
        deadline,
        log,
        track,
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  }

  const markdown = report(append, results, Date.now() - startedAt, fs);
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
