import type { Browser, Page } from 'playwright-core';
import { ARTICLE_DATASET } from '../../src/seed/article-seeder';
import { daysFrom, descriptionVersions, endOfDayMs, knownFromMs } from '../support/seed-rules';
import { describeWithChromium, launchChromium, pageTimings, startWorkbench, watchForErrors, type Workbench } from '../support/workbench';

/*
 * The analyst's workbench in Debian's chromium, over the article: what the page shows as of a day is
 * what was public by that day (read off the seed itself, not off the API the page calls), and the
 * page's links, controls and key handling work as a reader would use them.
 */

/** The developments public by the end of `day`, each with its title as then known (the seed's own dates). */
function publicBy(day: string): Map<string, string> {
  const endMs = endOfDayMs(day);
  const known = new Map<string, string>();
  for (const development of ARTICLE_DATASET.developments) {
    if (knownFromMs(development.claims[0].reportedAt) > endMs) continue;
    const versions = descriptionVersions(development).filter((version) => version.knownFromMs <= endMs);
    known.set(development.id, String(versions[versions.length - 1].fields.title));
  }
  return known;
}

/** The timeline's rows as the page draws them: id and title, in the order shown. */
async function rowsOf(page: Page): Promise<[string, string][]> {
  return page.$$eval('[data-testid="timeline-row"]', (rows) =>
    rows.map((row) => [row.getAttribute('data-id') ?? '', row.querySelector('.row-title')?.textContent ?? '']),
  );
}

/** Waits until the page shows `day` as its as-of and has drawn the timeline for it. */
async function shownAsOf(page: Page, day: string, count: number): Promise<void> {
  await page.waitForFunction(
    ([wanted, n]) => new URL(location.href).searchParams.get('asOf') === wanted && document.querySelectorAll('[data-testid="timeline-row"]').length === n,
    [day, count] as const,
  );
}

describeWithChromium('the workbench page in chromium', () => {
  let browser: Browser;
  let workbench: Workbench;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    [browser, workbench] = await Promise.all([launchChromium(), startWorkbench()]);
  });
  afterAll(async () => {
    await browser?.close();
    await workbench?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    // Well inside jest's 30 s, so a view that never comes says which wait failed.
    page.setDefaultTimeout(10_000);
    errors = watchForErrors(page);
  });
  afterEach(async () => {
    await page.close();
    expect(errors).toEqual([]);
  });

  it('moves the as-of slider from 17 to 24 October 2024 and shows, each day, what was public by then and no more', async () => {
    await page.goto(`${workbench.origin}/?asOf=2024-10-17`);
    await shownAsOf(page, '2024-10-17', publicBy('2024-10-17').size);
    const seen = new Map<string, [string, string][]>();
    seen.set('2024-10-17', await rowsOf(page));
    const slider = page.getByTestId('as-of-slider');
    await slider.focus();
    for (const day of daysFrom('2024-10-18', '2024-10-24')) {
      await page.keyboard.press('ArrowRight');
      await shownAsOf(page, day, publicBy(day).size);
      seen.set(day, await rowsOf(page));
      expect(await page.getByTestId('as-of-text').textContent()).toBe(`${Number(day.slice(8))} Oct 2024`);
      // "What changed" (the week up to the day) lists nothing reported after it.
      await page.waitForFunction((d) => document.querySelector('[data-testid="changes"] .window')?.textContent?.includes(d) ?? false, `${Number(day.slice(8))} Oct 2024`);
      const changedOn = await page.$$eval('[data-testid="change"]', (items) => items.map((item) => item.getAttribute('data-at') ?? ''));
      expect({ day, later: changedOn.filter((at) => at.slice(0, 10) > day) }).toEqual({ day, later: [] });
    }
    for (const [day, rows] of seen) {
      expect({ day, rows: new Map(rows) }).toEqual({ day, rows: publicBy(day) });
    }
    // The days the article's reports came in change what shows; the ones in between do not.
    expect(seen.get('2024-10-17')!.length).toBeLessThan(seen.get('2024-10-20')!.length);
    expect(seen.get('2024-10-20')!.length).toBeLessThan(seen.get('2024-10-24')!.length);
    // What the benchmark reads: one first paint for the page, one measure per move.
    expect(await page.evaluate(() => performance.getEntriesByName('timeline-painted').length)).toBe(1);
    expect((await pageTimings(page)).sliderMovesMs).toHaveLength(7);
  });

  it('draws the rows in the order the API gives (occurred order), the undated ones in a lane of their own', async () => {
    await page.goto(`${workbench.origin}/?asOf=2024-10-24`);
    await shownAsOf(page, '2024-10-24', publicBy('2024-10-24').size);
    const api = (await workbench.get('/v1/knowledge?asOf=2024-10-24&limit=500')).body as { items: { id: string; occurred: unknown; status: string }[] };
    expect((await rowsOf(page)).map(([id]) => id)).toEqual(api.items.map((item) => item.id));
    const undated = await page.$$eval('.undated [data-testid="timeline-row"]', (rows) => rows.map((row) => row.getAttribute('data-id')));
    expect(undated).toEqual(api.items.filter((item) => item.occurred === null).map((item) => item.id));
    expect(undated.length).toBeGreaterThan(0);
    const statuses = await page.$$eval('[data-testid="timeline-row"]', (rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(statuses).toEqual(api.items.map((item) => item.status));
  });

  it('lists what changed between two dates, one line per change the API reports', async () => {
    await page.goto(`${workbench.origin}/?asOf=2024-10-24&since=2024-10-20`);
    const api = (await workbench.get('/v1/knowledge/changes?from=2024-10-20&to=2024-10-24')).body as { items: { kind: string }[] };
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="change"]').length === n, api.items.length);
    const kinds = await page.$$eval('[data-testid="change"]', (items) => items.map((item) => item.getAttribute('data-kind')));
    expect([...kinds].sort()).toEqual(api.items.map((item) => item.kind).sort());
    expect(kinds).toContain('development-reported');
    expect(await page.getByTestId('changes').textContent()).not.toContain('undefined');
  });

  it('opens a development from the timeline: its description, claims with their sources, and the estimate chart as of the day', async () => {
    const id = 'north-korean-troops-sent-to-russia';
    await page.goto(`${workbench.origin}/?asOf=2024-10-24`);
    await page.locator(`[data-testid="timeline-row"][data-id="${id}"] .row-title`).click();
    await page.waitForURL(`**/developments/${id}?asOf=2024-10-24`);
    const view = (await workbench.get(`/v1/developments/${id}?asOf=2024-10-24`)).body as { title: string; claims: { id: string; source: { name: string } }[] };
    await page.waitForSelector(`[data-testid="development"][data-id="${id}"] h2`);
    expect(await page.locator('#development-title').textContent()).toBe(view.title);
    const claims = await page.$$eval('[data-testid="claim"]', (items) => items.map((item) => [item.getAttribute('data-id'), item.querySelector('.source-name')?.textContent]));
    expect(claims).toEqual(view.claims.map((claim) => [claim.id, claim.source.name]));

    const history = (await workbench.get(`/v1/developments/${id}/estimates?to=2024-10-24`)).body as { items: unknown[] };
    await page.waitForSelector('[data-testid="estimate-chart"] canvas');
    expect(await page.locator('[data-testid="estimate-step"]').count()).toBe(history.items.length);
    expect(history.items.length).toBeGreaterThan(1);
    // The same chart a day earlier holds only the steps known by then.
    await page.goto(`${workbench.origin}/developments/${id}?asOf=2024-10-23`);
    const earlier = (await workbench.get(`/v1/developments/${id}/estimates?to=2024-10-23`)).body as { items: unknown[] };
    await page.waitForSelector('[data-testid="estimate-chart"] canvas');
    expect(await page.locator('[data-testid="estimate-step"]').count()).toBe(earlier.items.length);
    expect(earlier.items.length).toBeLessThan(history.items.length);
  });

  it('says a development is not known before its first report, rather than showing it', async () => {
    const first = ARTICLE_DATASET.developments.find((d) => d.id === 'north-korean-troops-sent-to-russia')!.claims[0].reportedAt;
    expect(first > '2024-10-20').toBe(true);
    // A page of its own: the API's 404 is the answer here, and chromium logs it.
    const early = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const earlyErrors = watchForErrors(early, [404]);
    await early.goto(`${workbench.origin}/developments/north-korean-troops-sent-to-russia?asOf=2024-10-20`);
    await early.waitForSelector('[data-testid="development-error"]');
    expect(await early.getByTestId('development-error').textContent()).toMatch(/^Not known as of 20 Oct 2024/);
    await early.close();
    expect(earlyErrors).toEqual([]);
  });

  it('shows everything one source said, by date, as known on the day', async () => {
    for (const day of ['2024-10-20', '2024-10-24']) {
      const known = publicBy(day);
      const said = ARTICLE_DATASET.developments
        .filter((development) => known.has(development.id))
        .flatMap((development) => development.claims.filter((claim) => claim.sourceId === 'zelensky' && knownFromMs(claim.reportedAt) <= endOfDayMs(day)))
        .map((claim) => claim.id)
        .sort();
      await page.goto(`${workbench.origin}/sources/zelensky?asOf=${day}`);
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="source-claim"]').length === n, said.length);
      const shown = await page.$$eval('[data-testid="source-claim"]', (items) => items.map((item) => item.getAttribute('data-id') ?? ''));
      expect({ day, shown: [...shown].sort() }).toEqual({ day, shown: said });
      expect(said.length).toBeGreaterThan(0);
    }
  });

  it('shows a claim without the article it was read in until that article was published', async () => {
    const id = 'north-korean-troops-sent-to-russia';
    const claims = ARTICLE_DATASET.developments.find((development) => development.id === id)!.claims;
    const published = claims.map((claim) => claim.publication?.publishedAt).filter((at): at is string => at !== undefined);
    expect(published.length).toBeGreaterThan(0);
    for (const day of ['2024-10-23', '2024-10-24']) {
      await page.goto(`${workbench.origin}/developments/${id}?asOf=${day}`);
      await page.waitForSelector('[data-testid="claim"]');
      const shown = await page.$$eval('[data-testid="claim"] .publication', (items) => items.map((item) => item.textContent ?? ''));
      const expected = claims.filter((claim) => knownFromMs(claim.reportedAt) <= endOfDayMs(day) && claim.publication?.publishedAt && knownFromMs(claim.publication.publishedAt) <= endOfDayMs(day));
      expect({ day, shown: shown.length }).toEqual({ day, shown: expected.length });
    }
  });

  it('says how strongly each change was said: a denial is a denial, no evidence is not support', async () => {
    await page.goto(`${workbench.origin}/?asOf=2024-10-24&since=2024-10-20`);
    const api = (await workbench.get('/v1/knowledge/changes?from=2024-10-20&to=2024-10-24')).body as { items: { kind: string; stance?: string }[] };
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="change"]').length === n, api.items.length);
    const lines = await page.$$eval('[data-testid="change"][data-kind="claim-reported"]', (items) =>
      items.map((item): [string, string] => [item.getAttribute('data-stance') ?? 'none', item.textContent ?? '']),
    );
    const words: Record<string, RegExp> = { asserts: / asserted: /, confirms: / confirmed: /, denies: / denied: /, assesses: / assessed as [a-z ]+: /, 'no-evidence': / said it had seen no evidence of: / };
    const stances = api.items.filter((item) => item.kind === 'claim-reported').map((item) => item.stance);
    expect(lines.map(([stance]) => stance).sort()).toEqual([...stances].sort());
    expect(stances).toEqual(expect.arrayContaining(['denies', 'no-evidence', 'assesses']));
    for (const [stance, text] of lines) expect({ stance, text, says: words[stance]?.test(text) }).toEqual({ stance, text, says: true });
  });

  it('keeps the whole view in the URL: a permalink opened elsewhere shows the same view', async () => {
    await page.goto(`${workbench.origin}/`);
    await page.getByTestId('as-of-date').fill('2024-10-22');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('asOf') === '2024-10-22');
    await page.getByTestId('filter-topic').selectOption('troops');
    await page.getByTestId('zoom').selectOption('30d');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('zoom') === '30d');
    const firstRow = page.locator('[data-testid="timeline-row"] .row-title').first();
    await firstRow.click();
    await page.waitForSelector('[data-testid="development"] h2');
    const permalink = page.url();
    expect(new URL(permalink).searchParams.get('topic')).toBe('troops');
    const before = { rows: await rowsOf(page), title: await page.locator('#development-title').textContent() };

    const other = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const otherErrors = watchForErrors(other);
    await other.goto(permalink);
    await other.waitForSelector('[data-testid="development"] h2');
    await other.waitForFunction((n) => document.querySelectorAll('[data-testid="timeline-row"]').length === n, before.rows.length);
    expect({ rows: await rowsOf(other), title: await other.locator('#development-title').textContent() }).toEqual(before);
    expect(await other.getByTestId('filter-topic').inputValue()).toBe('troops');
    expect(await other.getByTestId('as-of-date').inputValue()).toBe('2024-10-22');
    // Back returns to the timeline the link was followed from.
    await page.goBack();
    await page.waitForSelector('[data-testid="changes"]');

    // Every control reads its value back from a link.
    // A minute ahead, at 30 seconds past: a datetime-local input shows a time on the minute without its seconds.
    const recordedAsOf = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 90_000).toISOString().slice(0, 19);
    await other.goto(`${workbench.origin}/?asOf=2024-10-24&recordedAsOf=${recordedAsOf}Z&since=2024-10-21&status=confirmed&sourceId=sk-nis&q=troops&zoom=90d`);
    const confirmed = (await workbench.get(`/v1/knowledge?asOf=2024-10-24&status=confirmed&sourceId=sk-nis&q=troops`)).body as { items: { id: string }[] };
    await shownAsOf(other, '2024-10-24', confirmed.items.length);
    expect(confirmed.items.length).toBeGreaterThan(0);
    const controls = {
      status: await other.getByTestId('filter-status').inputValue(),
      source: await other.getByTestId('filter-source').inputValue(),
      text: await other.getByTestId('filter-text').inputValue(),
      zoom: await other.getByTestId('zoom').inputValue(),
      since: await other.getByTestId('since').inputValue(),
      recorded: await other.getByTestId('recorded-as-of').inputValue(),
    };
    expect(controls).toEqual({ status: 'confirmed', source: 'sk-nis', text: 'troops', zoom: '90d', since: '2024-10-21', recorded: recordedAsOf });
    await other.close();
    expect(otherErrors).toEqual([]);
  });

  it('shows, as recorded before anything was stored, that nothing was recorded yet', async () => {
    await page.goto(`${workbench.origin}/?asOf=2024-10-24&recordedAsOf=2000-01-01`);
    await page.getByTestId('nothing-recorded').waitFor();
    expect(await page.locator('[data-testid="timeline-row"]').count()).toBe(0);
    await page.getByRole('button', { name: 'now' }).nth(1).click();
    await shownAsOf(page, '2024-10-24', publicBy('2024-10-24').size);
    expect(new URL(page.url()).searchParams.get('recordedAsOf')).toBeNull();
  });

  it('filters by status, source and text, and says when nothing matches', async () => {
    await page.goto(`${workbench.origin}/?asOf=2024-10-24&status=disputed`);
    const disputed = (await workbench.get('/v1/knowledge?asOf=2024-10-24&status=disputed')).body as { items: { id: string }[] };
    await shownAsOf(page, '2024-10-24', disputed.items.length);
    await page.getByTestId('filter-status').selectOption('');
    await page.getByTestId('filter-source').selectOption('zelensky');
    const zelensky = (await workbench.get('/v1/knowledge?asOf=2024-10-24&sourceId=zelensky')).body as { items: { id: string }[] };
    await shownAsOf(page, '2024-10-24', zelensky.items.length);
    expect((await rowsOf(page)).map(([id]) => id)).toEqual(zelensky.items.map((item) => item.id));
    await page.getByTestId('filter-text').fill('no-such-word-anywhere');
    await page.waitForSelector('[data-testid="timeline-empty"]');
  });

  it('reads an as-of instant with an offset in UTC: the day it falls in, and changes up to the instant itself', async () => {
    const instant = '2024-10-24T01:00:00+03:00';
    const atMs = Date.parse(instant);
    const known = ARTICLE_DATASET.developments.filter((development) => knownFromMs(development.claims[0].reportedAt) <= atMs);
    await page.goto(`${workbench.origin}/?asOf=${encodeURIComponent(instant)}&since=2024-10-22`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="timeline-row"]').length === n, known.length);
    expect(known.length).toBe(publicBy('2024-10-23').size);
    expect(await page.getByTestId('as-of-date').inputValue()).toBe('2024-10-23');
    const api = (await workbench.get(`/v1/knowledge/changes?from=2024-10-22&to=${encodeURIComponent(instant)}`)).body as { items: unknown[] };
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="change"]').length === n, api.items.length);
    const later = await page.$$eval('[data-testid="change"]', (items) => items.filter((item) => (item.getAttribute('data-at') ?? '') >= '2024-10-24').length);
    expect(later).toBe(0);
  });
});

describeWithChromium('the workbench page on a server with API keys', () => {
  const KEY = 'workbench-reader-key-0123456789';
  let browser: Browser;
  let workbench: Workbench;

  beforeAll(async () => {
    [browser, workbench] = await Promise.all([launchChromium(), startWorkbench({ TIMELINE_API_KEYS: `${KEY}:reader` })]);
  });
  afterAll(async () => {
    await browser?.close();
    await workbench?.close();
  });

  it('asks for a key once, keeps it for the tab, and never puts it in the URL', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchForErrors(page, [401]);
    await page.goto(`${workbench.origin}/?asOf=2024-10-24`);
    await page.getByTestId('key-input').fill('not-the-key-at-all-0000');
    await page.getByTestId('key-submit').click();
    // A wrong key is refused and asked for again.
    await page.getByTestId('key-input').waitFor();
    await page.getByTestId('key-input').fill(KEY);
    await page.getByTestId('key-submit').click();
    await shownAsOf(page, '2024-10-24', publicBy('2024-10-24').size);
    expect(page.url()).not.toContain(KEY);
    const sent = new Set<string>();
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/v1/')) sent.add(request.headers()['authorization'] ?? 'none');
    });
    await page.reload();
    await shownAsOf(page, '2024-10-24', publicBy('2024-10-24').size);
    expect(await page.getByTestId('key-input').count()).toBe(0);
    expect([...sent]).toEqual([`Bearer ${KEY}`]);
    // Another tab of the same browser does not have it (session storage is the tab's).
    const otherTab = await context.newPage();
    const otherErrors = watchForErrors(otherTab, [401]);
    await otherTab.goto(`${workbench.origin}/?asOf=2024-10-24`);
    await otherTab.getByTestId('key-input').waitFor();
    await otherTab.keyboard.press('Escape');
    await otherTab.getByTestId('key-input').waitFor({ state: 'detached' });
    expect(otherErrors).toEqual([]);
    // Forgetting it asks again.
    await page.getByTestId('forget-key').click();
    await page.getByTestId('key-input').waitFor();
    await context.close();
    expect(errors).toEqual([]);
  });
});
