import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { runRequestFuzz, seedFuzzTarget } from '../test/support/request-fuzz';
import { startTestApp } from '../test/support/test-app';
import { numberEnv } from './harness';

/**
 * The request fuzz of `test/e2e/request-fuzz.e2e.spec.ts` at bench size: `FUZZ_RUNS` (default
 * 10,000) arbitrary requests to every route of a listening app on a temp data dir; none may answer
 * a 5xx, every error must be a problem document, and no refused request may store an event.
 * `FUZZ_SEED` replays a run. Exit 1 on the first violation (fast-check prints it, shrunk).
 */
async function main(): Promise<void> {
  const runs = numberEnv('FUZZ_RUNS', 10_000, (value) => Number.isInteger(value) && value > 0);
  const seed = numberEnv('FUZZ_SEED', Date.now() % 2 ** 31, Number.isInteger);
  const app = await startTestApp({ env: { TIMELINE_PROJECTION_WAIT_MS: '20' } });
  try {
    await app.app.listen(0, '127.0.0.1');
    const target = await seedFuzzTarget(app);
    const started = performance.now();
    const report = await runRequestFuzz(app, target, runs, seed);
    const seconds = (performance.now() - started) / 1000;
    const statuses = Object.entries(report.byStatus).map(([status, count]) => `${status}: ${count}`).join(', ');
    console.log('## Request fuzz\n');
    console.log('| cases | answers by status | 5xx | events stored (all by 2xx answers) | time | seed |');
    console.log('|---|---|---|---|---|---|');
    console.log(`| ${report.cases} | ${statuses} | 0 | ${report.eventsStored} | ${seconds.toFixed(1)} s | \`FUZZ_SEED=${seed}\` |`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
