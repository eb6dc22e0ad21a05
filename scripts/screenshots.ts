import 'reflect-metadata';
import { join, resolve } from 'node:path';
import { launchChromium, startWorkbench } from '../test/support/workbench';

/*
 * `npm run screenshots`: the workbench's main views over the article, as docs/ and the README show
 * them, taken in Debian's chromium at a laptop's 1366×768 (the development view taller, to hold its chart).
 */

const DOCS = resolve(__dirname, '..', 'docs');

const VIEWS: readonly { file: string; path: string; wait: string; height?: number }[] = [
  { file: 'workbench-timeline-2024-10-20.png', path: '/?asOf=2024-10-20&since=2024-10-17&zoom=1y', wait: '[data-testid="change"]' },
  { file: 'workbench-timeline-2024-10-24.png', path: '/?asOf=2024-10-24&since=2024-10-20&zoom=90d', wait: '[data-testid="change"]' },
  { file: 'workbench-development.png', path: '/developments/north-korean-troops-sent-to-russia?asOf=2024-10-24&zoom=90d', wait: '[data-testid="estimate-chart"] canvas', height: 1150 },
  { file: 'workbench-source.png', path: '/sources/sk-nis?asOf=2024-10-24&zoom=90d', wait: '[data-testid="source-claim"]' },
];

async function main(): Promise<void> {
  const [browser, workbench] = await Promise.all([launchChromium(), startWorkbench()]);
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    for (const view of VIEWS) {
      await page.setViewportSize({ width: 1366, height: view.height ?? 768 });
      await page.goto(workbench.origin + view.path);
      await page.waitForSelector(view.wait);
      await page.waitForFunction(() => performance.getEntriesByName('timeline-painted').length === 1);
      await page.screenshot({ path: join(DOCS, view.file) });
      process.stdout.write(`docs/${view.file}\n`);
    }
  } finally {
    await browser.close();
    await workbench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
