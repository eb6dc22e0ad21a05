import 'reflect-metadata';
import type { Page } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium, pageTimings, startWorkbench } from '../test/support/workbench';
import { numberEnv } from './harness';
import { fmtMs, fmtRatio, median, percentileSorted, table } from './stats';

/**
 * The workbench page in Debian's chromium, over the article (what `test/browser` drives):
 * - first paint: a cold load of `/?asOf=2024-10-24` (a new browser context each time: no cache)
 *   until the timeline is on screen (the page's `timeline-painted` mark, from navigation start);
 * - slider moves: the as-of slider stepped by the keyboard across 17 → 24 October and back, each
 *   move from the input to the redrawn timeline (`slider-move` measures);
 * both against the baseline the page cannot beat, measured in the same browser in the same run: a
 * bare `fetch` of the `/v1/knowledge` request each view needs. `BENCH_WEB_LOADS` (default 20) cold
 * loads, `BENCH_WEB_ROUNDS` (default 10) rounds of 14 moves. Targets: first paint ≤ 1 s, moves ≤ 100 ms p95.
 */
async function main(): Promise<void> {
  const loads = numberEnv('BENCH_WEB_LOADS', 20, (value) => Number.isInteger(value) && value > 0);
  const rounds = numberEnv('BENCH_WEB_ROUNDS', 10, (value) => Number.isInteger(value) && value > 0);
  const [browser, workbench] = await Promise.all([launchChromium(), startWorkbench()]);
  try {
    const firstPaints: number[] = [];
    const firstFetches: number[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const page = await context.newPage();
      await page.goto(`${workbench.origin}/?asOf=2024-10-24`);
      await page.waitForFunction(() => performance.getEntriesByName('timeline-painted').length === 1);
      firstPaints.push((await pageTimings(page)).firstPaintMs!);
      firstFetches.push(await timedFetch(page, '/v1/knowledge?asOf=2024-10-24&limit=500'));
      await context.close();
    }

    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    await page.goto(`${workbench.origin}/?asOf=2024-10-17`);
    await page.waitForFunction(() => performance.getEntriesByName('timeline-painted').length === 1);
    await page.getByTestId('as-of-slider').focus();
    const moveFetches: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const key of [...Array(7).fill('ArrowRight'), ...Array(7).fill('ArrowLeft')] as string[]) {
        const before = (await pageTimings(page)).sliderMovesMs.length;
        await page.keyboard.press(key);
        await page.waitForFunction((n) => performance.getEntriesByName('slider-move').length > n, before);
      }
      for (let day = 17; day <= 24; day++) moveFetches.push(await timedFetch(page, `/v1/knowledge?asOf=2024-10-${day}&limit=500`));
    }
    const moves = (await pageTimings(page)).sliderMovesMs;

    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const [paints, paintBase, slides, slideBase] = [sorted(firstPaints), sorted(firstFetches), sorted(moves), sorted(moveFetches)];
    console.log('## Workbench page (chromium)\n');
    console.log(
      table(
        ['what', 'n', 'p50', 'p95', 'baseline p50 / p95 (bare fetch of its /v1/knowledge)', 'p95 ÷ baseline p95', 'target'],
        [
          ['first paint, cold load of the article as of 24 Oct', String(paints.length), fmtMs(median(paints)), fmtMs(percentileSorted(paints, 95)), `${fmtMs(median(paintBase))} / ${fmtMs(percentileSorted(paintBase, 95))}`, fmtRatio(percentileSorted(paints, 95) / percentileSorted(paintBase, 95)), `≤ 1 s: ${percentileSorted(paints, 95) <= 1000 ? 'met' : 'missed'}`],
          ['slider move, 17 ↔ 24 Oct', String(slides.length), fmtMs(median(slides)), fmtMs(percentileSorted(slides, 95)), `${fmtMs(median(slideBase))} / ${fmtMs(percentileSorted(slideBase, 95))}`, fmtRatio(percentileSorted(slides, 95) / percentileSorted(slideBase, 95)), `≤ 100 ms p95: ${percentileSorted(slides, 95) <= 100 ? 'met' : 'missed'}`],
        ],
      ),
    );
    console.log(`\nchromium: ${CHROMIUM_PATH} ${browser.version()}; reproduce: \`BENCH_WEB_LOADS=${loads} BENCH_WEB_ROUNDS=${rounds} npx ts-node --transpile-only bench/web-bench.ts\``);
  } finally {
    await browser.close();
    await workbench.close();
  }
}

/** One `fetch` from the page, timed in the page: the request a view needs, with nothing drawn. */
function timedFetch(page: Page, path: string): Promise<number> {
  return page.evaluate(async (url) => {
    const started = performance.now();
    const response = await fetch(url);
    await response.json();
    return performance.now() - started;
  }, path);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
