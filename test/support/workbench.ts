import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web';
import { ArticleSeeder } from '../../src/seed/article-seeder';
import { listening } from './raw-http';
import { startTestApp, type TestApp } from './test-app';

/*
 * The workbench page in a real browser: Debian's chromium (Playwright cannot download its own here)
 * driven by playwright-core, against an app on a socket with the article seeded and the page built
 * the way `npm run build` builds it.
 */

/** Debian's chromium, or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags the machine needs: no sandbox as root, and no background calls to hosts the closed network refuses. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** `describe`, or a reported skip when chromium is not installed outside CI (CI installs it: .ci/run). */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) {
    describe(name, body);
    return;
  }
  process.stdout.write(`${name}: skipped, no chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)\n`);
  describe.skip(name, body);
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

let built: Promise<string> | undefined;

/** The page bundled once per process into a temp dir (esbuild: well under a second). */
export function builtWebDir(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeline-web-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    await buildWeb(dir);
    return dir;
  })();
  return built;
}

export type Workbench = TestApp & { origin: string };

/** An app serving the built page, the article seeded, listening on a loopback port. */
export async function startWorkbench(env: Record<string, string> = {}): Promise<Workbench> {
  const app = await startTestApp({ env: { TIMELINE_WEB_DIR: await builtWebDir(), ...env } });
  await app.app.get(ArticleSeeder).seedIfEmpty();
  const port = await listening(app.app);
  return Object.assign(app, { origin: `http://127.0.0.1:${port}` });
}

/**
 * What went wrong in a page: console errors, uncaught exceptions, failed requests (a CSP refusal shows
 * as a console error). `expectedStatuses`: answers the test provokes (chromium logs each 4xx).
 */
export function watchForErrors(page: Page, expectedStatuses: readonly number[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    const status = /^Failed to load resource: the server responded with a status of (\d+)/.exec(message.text())?.[1];
    if (status && expectedStatuses.includes(Number(status))) return;
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A slider move cancels the load it replaces: that abort is the page working, not failing.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  return errors;
}

/** The Performance API entries the page records (src/web/perf.ts). */
export async function pageTimings(page: Page): Promise<{ firstPaintMs: number | undefined; sliderMovesMs: number[] }> {
  return page.evaluate(() => ({
    firstPaintMs: performance.getEntriesByName('timeline-painted')[0]?.startTime,
    sliderMovesMs: performance.getEntriesByName('slider-move').map((entry) => entry.duration),
  }));
}
