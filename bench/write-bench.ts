import 'reflect-metadata';
import { aClaim, aDevelopment, aSource, created } from '../test/support/builders';
import { READ_MODEL_DATABASE } from '../src/database/read-model-database';
import { EVENT_STORE } from '../src/event-store/event-store.port';
import { TestApp, startTestApp } from '../test/support/test-app';
import { numberEnv } from './harness';
import { fmtInt, fmtMs, fmtNum, fmtRatio, median, table } from './stats';

/**
 * Writes over HTTP (issue 16): `POST /v1/developments/:id/claims` spread over `BENCH_WRITE_STREAMS`
 * developments (default 64), each answered once stored and projected (read-your-writes), with 1 and
 * 8 connections for `BENCH_WRITE_SECONDS` (default 5) each, against the HTTP floor measured in the
 * same run: `GET /health` at the same connections. Target at 8 connections: ≥ 2,000 requests/s,
 * p99 ≤ 25 ms.
 *
 * Then a long stream: `POST` claims one after another to a development holding
 * `BENCH_WRITE_LONG_CLAIMS` claims (default 1,000) and to a new one, in alternating rounds:
 * a write should not cost more because its stream is long.
 */
async function main(): Promise<void> {
  const streams = numberEnv('BENCH_WRITE_STREAMS', 64, (value) => Number.isInteger(value) && value > 0);
  const seconds = numberEnv('BENCH_WRITE_SECONDS', 5, (value) => value > 0);
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
    let next = 0;
    const rows: string[][] = [];
    // Transactions (each one fsync) the event store and the read models committed: the disk's share of a write.
    const transactions = () =>
      [app.app.get(EVENT_STORE), app.app.get(READ_MODEL_DATABASE)].map((db: { commitStats?: { transactions: number } }) => db.commitStats?.transactions ?? Number.NaN);
    for (const connections of [1, 8]) {
      const floor = await run({ url: `${url}/health`, connections, duration: seconds });
      const before = transactions();
      const writes = await run({
        url,
        connections,
        duration: seconds,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/json' }, body, setupRequest: (request: LoadRequest) => ({ ...request, path: `/v1/developments/bench-${next++ % streams}/claims` }) }],
      });
      const [events, readModels] = transactions().map((after, i) => (after - before[i]) / writes.requests.total);
      if (writes.non2xx > 0 || writes.errors > 0) throw new Error(`${writes.non2xx} non-2xx answers and ${writes.errors} errors to POST claims`);
      const met = connections === 8 ? (writes.requests.average >= 2000 && writes.latency.p99 <= 25 ? 'met' : 'missed') : '';
      rows.push([
        String(connections),
        fmtInt(writes.requests.average),
        fmtMs(writes.latency.p50),
        fmtMs(writes.latency.p99),
        `${fmtInt(floor.requests.average)} req/s, p99 ${fmtMs(floor.latency.p99)}`,
        fmtRatio(writes.requests.average / floor.requests.average),
        `${events.toFixed(2)} + ${readModels.toFixed(2)}`,
        met,
      ]);
    }
    console.log('## Writes over HTTP: POST claims\n');
    console.log(table(['connections', 'POST claims req/s', 'p50', 'p99', 'baseline: GET /health, same run', 'req/s ÷ baseline', 'transactions a write: events + read models', '≥ 2,000/s, p99 ≤ 25 ms at 8'], rows));
    console.log(`\n${streams} developments, each POST answered once stored and projected; reproduce: \`BENCH_WRITE_STREAMS=${streams} BENCH_WRITE_SECONDS=${seconds} BENCH_WRITE_LONG_CLAIMS=${longClaims} BENCH_WRITE_LONG_ROUNDS=${longRounds} npx ts-node --transpile-only bench/write-bench.ts\``);
    await longStream(app, body, longClaims, longRounds);
  } finally {
    await app.close();
  }
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

/** What this bench asks of autocannon (it ships no types). */
type LoadRequest = { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (request: LoadRequest) => LoadRequest };
type LoadOptions = { url: string; connections: number; duration: number; requests?: LoadRequest[] };
type LoadResult = { requests: { average: number; total: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number };
const autocannon = require('autocannon') as (options: LoadOptions, done: (error: Error | null, result: LoadResult) => void) => void;

function run(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
