import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEB_PAGE_ROUTES } from '../../src/http/web-page';
import { startTestApp, type TestApp } from '../support/test-app';
import { builtWebDir } from '../support/workbench';

const KEY = 'web-page-reader-key-0123456789';

describe('the workbench page as the server serves it', () => {
  let app: TestApp;
  let webDir: string;

  beforeAll(async () => {
    webDir = await builtWebDir();
    app = await startTestApp({ env: { TIMELINE_WEB_DIR: webDir, TIMELINE_API_KEYS: `${KEY}:reader` } });
  });
  afterAll(() => app?.close());

  it('answers the same HTML at each of its addresses, without a key, while the API asks for one', async () => {
    const html = readFileSync(join(webDir, 'index.html'), 'utf8');
    // Every route the page declares, with an id where it takes one, and a query.
    const urls = [...WEB_PAGE_ROUTES.map((route) => route.replace(':id', 'zelensky')), '/?asOf=2024-10-24&topic=troops'];
    expect(urls).toHaveLength(4);
    for (const url of urls) {
      const response = await app.get(url);
      expect({ url, status: response.status, type: response.headers['content-type'], body: response.text }).toEqual({ url, status: 200, type: 'text/html; charset=utf-8', body: html });
    }
    expect((await app.get('/v1/knowledge')).status).toBe(401);
  });

  it('loads nothing inline and nothing from elsewhere: its CSP allows only this origin', async () => {
    const response = await app.get('/');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(response.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(response.text).not.toMatch(/https?:\/\//);
  });

  it('serves its script and stylesheet from the bundle, revalidated on each load', async () => {
    for (const [asset, type] of [['/assets/app.js', 'application/javascript'], ['/assets/app.css', 'text/css']]) {
      const response = await app.get(asset);
      expect({ asset, status: response.status, type: String(response.headers['content-type']).split(';')[0], cache: response.headers['cache-control'] }).toEqual({
        asset,
        status: 200,
        type,
        cache: 'no-cache',
      });
      expect(response.text).toBe(readFileSync(join(webDir, asset.slice(1)), 'utf8'));
    }
  });

  it('serves nothing outside the bundle', async () => {
    for (const url of ['/assets/../index.html', '/assets/%2e%2e/index.html', '/assets/..%2f..%2fpackage.json', '/assets/no-such-file.js']) {
      const response = await app.get(url);
      expect({ url, refused: response.status >= 400 && response.status < 500, type: response.headers['content-type'] }).toEqual({
        url,
        refused: true,
        type: 'application/problem+json; charset=utf-8',
      });
      expect(response.text).not.toContain('<!doctype html>');
      expect(response.text).not.toContain('"dependencies"');
    }
  });
});

describe('the workbench page when it is not built', () => {
  it('answers 404 problem+json saying what to run, and the API still works', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'timeline-no-web-'));
    const app = await startTestApp({ env: { TIMELINE_WEB_DIR: empty } });
    try {
      const response = await app.get('/');
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect((response.body as { detail: string }).detail).toContain('npm run build');
      expect((await app.get('/v1/knowledge')).status).toBe(200);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
