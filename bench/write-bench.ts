import 'reflect-metadata';
import { CommandBus } from '@nestjs/cqrs';
import { plainToInstance } from 'class-transformer';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ReportClaimCommand } from '../src/application/commands/report-claim.handler';
import { ClaimInputDto, toClaimFields } from '../src/http/dto/claim.dto';
import { IdGenerator } from '../src/platform/ids';
import { aClaim, aDevelopment, aSource, created } from '../test/support/builders';
import { READ_MODEL_DATABASE } from '../src/database/read-model-database';
import { EVENT_STORE } from '../src/event-store/event-store.port';
import { TestApp, startTestApp } from '../test/support/test-app';
import { numberEnv } from './harness';
import { fmtInt, fmtMs, fmtNum, fmtRatio, median, percentileSorted, table } from './stats';

/**
 * Writes over HTTP (issue 16): `POST /v1/developments/:id/claims` spread over `BENCH_WRITE_STREAMS`
 * developments (default 64), each answered once stored and projected (read-your-writes), with 1 and
 * 8 connections for `BENCH_WRITE_SECONDS` (default 5) each, against the HTTP floor measured in the
 * same rounds: `GET /health` at the same connections, `BENCH_WRITE_ROUNDS` rounds (default 2), which
 * of the two goes first alternating. autocannon runs on a thread of its own, as in the knowledge
 * bench. Target at 8 connections: ≥ 2,000 requests/s, p99 ≤ 25 ms (medians of the rounds). At 8
 * connections the same rounds also run the write path without HTTP ({@link writePathAlone}): what
 * the server's thread can store and project with nothing to parse, validate or answer.
 *
 * Then a long stream: `POST` claims one after another to a development holding
 * `BENCH_WRITE_LONG_CLAIMS` claims (default 1,000) and to a new one, in alternating rounds:
 * a write should not cost more because its stream is long. Last, reads while writes flow
 * ({@link readsWhileWriting}): pages of `/v1/knowledge` the writes do not reach stay in the cache.
 */
async function main(): Promise<void> {
  const streams = numberEnv('BENCH_WRITE_STREAMS', 64, (value) => Number.isInteger(value) && value > 0);
  const seconds = numberEnv('BENCH_WRITE_SECONDS', 5, (value) => value > 0);
  const rounds = numberEnv('BENCH_WRITE_ROUNDS', 2, (value) => Number.isInteger(value) && value > 0);
  const longClaims = numberEnv('BENCH_WRITE_LONG_CLAIMS', 1000, (value) => Number.isInteger(value) && value > 0);
  const longRounds = numberEnv('BENCH_WRITE_LONG_ROUNDS', 3, (value) => Number.isInteger(value) && value > 0);
  const app = await startTestApp({ env: { TIMELINE_RATE_LIMIT: '0' } });
  try {
    created(await app.post('/v1/sources', aSource()));
    for (let i = 0; i < streams; i++) created(await app.post('/v1/developments', aDevelopment({ id: `bench-${i}` })));
    await app.app.listen(0, '127.0.0.1');
    const { port } = app.app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const body = JSON.stringify(aClaim({ quote: 'A claim of the write benchmark.' }));
    // Every write to the next of the developments, whichever connection sends it (`spread`).
    const posts = Array.from({ length: streams }, (_, i) => ({ method: 'POST', path: `/v1/developments/bench-${i}/claims`, headers: { 'content-type': 'application/json' }, body }));
    const rows: string[][] = [];
    // Transactions (each one fsync) the event store and the read models committed: the disk's share of a write.
    const transactions = () =>
      [app.app.get(EVENT_STORE), app.app.get(READ_MODEL_DATABASE)].map((db: { commitStats?: { transactions: number } }) => db.commitStats?.transactions ?? Number.NaN);
    const claim = toClaimFields(plainToInstance(ClaimInputDto, JSON.parse(body)));
    const alone: number[] = [];
    let postsAt8: number[] = [];
    for (const connections of [1, 8]) {
      const floors: LoadResult[] = [];
      const writes: LoadResult[] = [];
      const committed = [0, 0];
      const floor = async () => {
        floors.push(await run({ url: `${url}/health`, connections, duration: seconds }));
      };
      const direct = async () => {
        alone.push(await writePathAlone(app, claim, streams, connections, seconds));
      };
      const write = async () => {
        const before = transactions();
        const result = await run({ url, connections, duration: seconds, requests: posts, spread: true });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers and ${result.errors} errors to POST claims`);
        transactions().forEach((after, i) => (committed[i] += after - before[i]));
        writes.push(result);
      };
      for (let round = 0; round < rounds; round++) {
        const measures = connections === 8 ? [floor, write, direct] : [floor, write];
        // In order in even rounds, in reverse in odd ones (the developments grow as they are written):
        // each round's set is measured side by side, and over two rounds none always comes after another.
        for (const measure of round % 2 === 0 ? measures : [...measures].reverse()) await measure();
      }
      const total = writes.reduce((sum, result) => sum + result.requests.total, 0);
      const [events, readModels] = committed.map((count) => count / total);
      const rates = writes.map((result) => result.requests.average);
      if (connections === 8) postsAt8 = rates;
      const ratios = writes.map((result, i) => result.requests.average / floors[i].requests.average);
      const rate = median(rates);
      const p99 = median(writes.map((result) => result.latency.p99));
      const spread = (values: number[], format: (value: number) => string) => (values.length > 1 ? ` (${format(Math.min(...values))}–${format(Math.max(...values))})` : '');
      rows.push([
        String(connections),
        `${fmtInt(rate)}${spread(rates, fmtInt)}`,
        fmtMs(median(writes.map((result) => result.latency.p50))),
        fmtMs(p99),
        `${fmtInt(median(floors.map((result) => result.requests.average)))} req/s, p99 ${fmtMs(median(floors.map((result) => result.latency.p99)))}`,
        `${fmtRatio(median(ratios))}${spread(ratios, fmtRatio)}`,
        `${events.toFixed(2)} + ${readModels.toFixed(2)}`,
        connections === 8 ? (rate >= 2000 && p99 <= 25 ? 'met' : 'missed') : '',
      ]);
    }
    console.log('## Writes over HTTP: POST claims\n');
    console.log(
      table(
        ['connections', `POST claims req/s (median of ${rounds} rounds, min–max)`, 'p50', 'p99', 'baseline: GET /health, same rounds', 'req/s ÷ baseline, per round', 'transactions a write: events + read models', '≥ 2,000/s, p99 ≤ 25 ms at 8'],
        rows,
      ),
    );
    console.log(
      `\n${streams} developments, each POST answered once stored and projected; reproduce: \`BENCH_WRITE_STREAMS=${streams} BENCH_WRITE_SECONDS=${seconds} BENCH_WRITE_ROUNDS=${rounds} BENCH_WRITE_LONG_CLAIMS=${longClaims} BENCH_WRITE_LONG_ROUNDS=${longRounds} npx ts-node --transpile-only bench/write-bench.ts\``,
    );
    console.log(
      `\nThe write path without HTTP, the same rounds: ${fmtInt(median(alone))} writes/s (${alone.map(fmtInt).join(', ')} by round), ` +
        `8 callers of \`ReportClaimCommand\` through the \`CommandBus\`, over the same developments, each answered once stored and projected; ` +
        `POST at 8 connections ÷ it, per round: ${postsAt8.map((rate, i) => fmtRatio(rate / alone[i])).join(', ')}.`,
    );
    await longStream(app, body, longClaims, longRounds);
    await readsWhileWriting(app, url, seconds, longRounds);
  } finally {
    await app.close();
  }
}

/**
 * The write path alone, as POST runs it after its body is parsed and validated: `callers` loops, for
 * `seconds`, each executing `ReportClaimCommand` through the `CommandBus` (the stream writer,
 * `handleCommand`, the append and the projections in its transaction, read-your-writes), over
 * `streams` developments in turn. Writes a second.
 */
async function writePathAlone(app: TestApp, claim: ReturnType<typeof toClaimFields>, streams: number, callers: number, seconds: number): Promise<number> {
  const bus = app.app.get(CommandBus);
  const until = performance.now() + seconds * 1000;
  let next = 0;
  let written = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < until) {
        const context = { correlationId: randomUUID(), actor: 'bench', ids: new IdGenerator() };
        await bus.execute(new ReportClaimCommand({ developmentId: `bench-${next++ % streams}`, claim }, context));
        written += 1;
      }
    }),
  );
  return (written / (performance.now() - start)) * 1000;
}

/**
 * Sequential POSTs (in process, no socket) to a development of `claims` claims against a new one (at
 * most 51 claims), `rounds` alternating rounds of 50: once with every claim reported at the same
 * time, once with each reported an hour after the one before (a story followed hour by hour: each
 * claim a new instant of its development's status timeline).
 */
async function longStream(app: TestApp, body: string, claims: number, rounds: number): Promise<void> {
  const rows: string[][] = [];
  for (const timing of ['one instant', 'an hour apart'] as const) {
    const claim = JSON.parse(body) as ReturnType<typeof aClaim>;
    const base = Date.parse(claim.reportedAt);
    // The nth claim of a development.
    const nth = (n: number) => (timing === 'one instant' ? claim : { ...claim, reportedAt: new Date(base + n * 3_600_000).toISOString() });
    const long = `long-${timing === 'one instant' ? 'same' : 'hourly'}`;
    created(await app.post('/v1/developments', aDevelopment({ id: long, claim: nth(0) })));
    for (let i = 1; i < claims; i++) created(await app.post(`/v1/developments/${long}/claims`, nth(i)));
    const counts = new Map([[long, claims]]);
    const perPost = async (id: string) => {
      const start = performance.now();
      for (let i = 0; i < 50; i++) {
        const n = counts.get(id) ?? 1;
        created(await app.post(`/v1/developments/${id}/claims`, nth(n)));
        counts.set(id, n + 1);
      }
      return (performance.now() - start) / 50;
    };
    const longTimes: number[] = [];
    const short: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const id = `short-${long}-${round}`;
      created(await app.post('/v1/developments', aDevelopment({ id, claim: nth(0) })));
      short.push(await perPost(id));
      longTimes.push(await perPost(long));
    }
    rows.push(
      [`claims at ${timing}: a new development, 1 to 51 claims (baseline)`, fmtNum(median(short)), '1.00×'],
      [`claims at ${timing}: a development of ${fmtInt(claims)} to ${fmtInt(claims + 50 * rounds)} claims`, fmtNum(median(longTimes)), fmtRatio(median(longTimes) / median(short))],
    );
  }
  console.log(`\n## A long stream\n`);
  console.log(table(['POST claims, one at a time', `ms a write (median of ${rounds} rounds of 50)`, '÷ a new development, same run'], rows));
}

/**
 * Reads while writes flow: 8 connections `GET` one topic's pages (20 developments) as of each day
 * from 16 to 22 October 2024, in turn, while claims about other developments are `POST`ed one after
 * another (in process), reported on the 25th (after every page's asOf: the pages kept in the cache
 * stay) or, the baseline, on the 15th (each write reaches every page: each is read again after it).
 * The pages themselves are the same in both. `rounds` alternating rounds of `seconds` each.
 */
async function readsWhileWriting(app: TestApp, url: string, seconds: number, rounds: number): Promise<void> {
  for (let i = 0; i < 20; i++) {
    created(await app.post('/v1/developments', aDevelopment({ id: `read-${i}`, topics: ['read'], claim: aClaim({ reportedAt: '2024-10-10' }) })));
    for (const reportedAt of ['2024-10-12', '2024-10-14', '2024-10-18']) created(await app.post(`/v1/developments/read-${i}/claims`, aClaim({ reportedAt })));
    created(await app.post('/v1/developments', aDevelopment({ id: `write-${i}`, topics: ['write'], claim: aClaim({ reportedAt: '2024-10-01' }) })));
  }
  const paths = [16, 17, 18, 19, 20, 21, 22].map((day) => `/v1/knowledge?topic=read&asOf=2024-10-${day}&limit=500`);
  const measure = async (reportedAt: string) => {
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) created(await app.post(`/v1/developments/write-${writes++ % 20}/claims`, aClaim({ reportedAt })));
    })();
    const start = performance.now();
    const reads = await run({ url, connections: 8, duration: seconds, requests: paths.map((path) => ({ method: 'GET', path })) });
    writing = false;
    await writer;
    if (reads.non2xx > 0 || reads.errors > 0) throw new Error(`${reads.non2xx} non-2xx answers and ${reads.errors} errors to GET /v1/knowledge`);
    return { reads: reads.requests.average, p99: reads.latency.p99, writes: writes / ((performance.now() - start) / 1000) };
  };
  const later: Awaited<ReturnType<typeof measure>>[] = [];
  const reaching: Awaited<ReturnType<typeof measure>>[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      later.push(await measure('2024-10-25'));
      reaching.push(await measure('2024-10-15'));
    } else {
      reaching.push(await measure('2024-10-15'));
      later.push(await measure('2024-10-25'));
    }
  }
  const row = (name: string, runs: typeof later, ratio: string) => [
    name,
    fmtInt(median(runs.map((r) => r.reads))),
    fmtMs(median(runs.map((r) => r.p99))),
    fmtInt(median(runs.map((r) => r.writes))),
    ratio,
  ];
  const ratios = later.map((r, i) => r.reads / reaching[i].reads);
  console.log(`\n## Reads while writes flow\n`);
  console.log(
    table(
      [`GET /v1/knowledge?topic=read&asOf=2024-10-{16…22}&limit=500 in turn, 8 connections, while claims are POSTed (median of ${rounds} rounds of ${seconds} s)`, 'GET req/s', 'GET p99', 'POSTs/s', 'GET req/s ÷ baseline, per round'],
      [
        row('claims reported on the 15th, before every page\'s asOf: each reaches them all (baseline)', reaching, '1.00×'),
        row('claims reported on the 25th, after them: the kept pages stay', later, ratios.map((r) => fmtRatio(r)).join(', ')),
      ],
    ),
  );
}

/** What this bench asks of autocannon (it ships no types). */
type LoadRequest = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
type LoadOptions = { url: string; connections: number; duration: number; requests?: LoadRequest[]; spread?: boolean };
type LoadResult = { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };

/** The same as the knowledge bench's: autocannon on a thread of its own (`load-worker.js`), every 2xx response's time recorded there. */
type WorkerResult = { error?: string; latencies: Float64Array; errors: number; timeouts: number; non2xx: number; elapsedMs: number };

/** One autocannon run on a thread of its own, so the server's thread serves only. */
function run({ url, connections, duration, requests, spread }: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), {
      workerData: { url, connections, duration, spread, requests: requests ?? [{ method: 'GET', path: new URL(url).pathname }] },
    });
    worker.once('message', (message: WorkerResult) => {
      void worker.terminate();
      if (message.error) return reject(new Error(`autocannon: ${message.error}`));
      const sorted = Float64Array.from(message.latencies).sort();
      resolve({
        requests: { average: (sorted.length / message.elapsedMs) * 1000, total: sorted.length },
        latency: { p50: percentileSorted(sorted, 50), p99: percentileSorted(sorted, 99) },
        non2xx: message.non2xx,
        // autocannon counts a timeout among its errors too.
        errors: message.errors,
      });
    });
    worker.once('error', reject);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
