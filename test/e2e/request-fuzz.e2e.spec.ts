import { LiveEventStreams } from '../../src/http/sse/live-event-streams';
import { eventually } from '../support/eventually';
import { FuzzTarget, runRequestFuzz, seedFuzzTarget } from '../support/request-fuzz';
import { TestApp, startTestApp } from '../support/test-app';

/** A few hundred cases here; `npm run bench` runs 10,000 (bench/fuzz-bench.ts). `FUZZ_RUNS` and `FUZZ_SEED` override. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

describe('arbitrary requests to every route', () => {
  let app: TestApp;
  let target: FuzzTarget;

  beforeAll(async () => {
    // A short projection wait: a fuzzed minPosition beyond the head answers its 503 quickly.
    app = await startTestApp({ env: { TIMELINE_PROJECTION_WAIT_MS: '20' } });
    await app.app.listen(0, '127.0.0.1');
    target = await seedFuzzTarget(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('never answer a 5xx, answer every error as a problem document and store nothing unless they succeed', async () => {
    const report = await runRequestFuzz(app, target, RUNS, SEED);

    expect(report.cases).toBe(RUNS);
    // The fuzz reaches past validation: some requests succeed, most are refused.
    expect(Object.keys(report.byStatus).map(Number)).toEqual(expect.arrayContaining([200, 400, 404]));
    // The last case may be a live stream whose client has just gone: the server sees the close a turn later.
    await eventually(async () => app.app.get(LiveEventStreams).open, (open) => open === 0, 'every live stream closed', 5_000);
  }, 120_000);
});
