import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundException } from '@nestjs/common';
import { sendProblem } from './problem-details.filter';

/** The page's own addresses: each answers the same HTML, and the page reads its path and query. */
export const WEB_PAGE_ROUTES = ['/', '/developments/:id', '/sources/:id'] as const;
/** Where the page's bundle (`assets/app.js`, `assets/app.css`) is served from. */
export const WEB_ASSETS_PREFIX = '/assets/';

/** `npm run build` writes the page next to the compiled server: `dist/web` (`dist/src/http` → `dist/web`). */
export const DEFAULT_WEB_DIR = join(__dirname, '..', '..', 'web');

export const isWebPageRoute = (url: string): boolean =>
  (WEB_PAGE_ROUTES as readonly string[]).includes(url) || url.startsWith(WEB_ASSETS_PREFIX);

/**
 * The analyst's workbench: a static page over the API (its sources in `src/web`, bundled by
 * `npm run build`). Served without a key, since it holds no data: every figure it shows comes from
 * the API, which asks for one. When the bundle is not there (the server run from its sources) the
 * page's addresses answer 404 with what to run.
 */
export async function serveWebPage(fastify: FastifyInstance, webDir: string): Promise<void> {
  const indexFile = join(webDir, 'index.html');
  const index = existsSync(indexFile) ? readFileSync(indexFile) : undefined;
  for (const url of WEB_PAGE_ROUTES) {
    fastify.get(url, async (_request, reply) => {
      if (!index) {
        return sendProblem(reply, new NotFoundException(`the workbench page is not built in ${webDir}: run npm run build (or set TIMELINE_WEB_DIR)`));
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    });
  }
  if (!index) return;
  await fastify.register(fastifyStatic, {
    root: join(webDir, 'assets'),
    prefix: WEB_ASSETS_PREFIX,
    decorateReply: false,
    // Fixed names (app.js, app.css): revalidated by ETag on every load, so a new build shows at once.
    cacheControl: false,
    setHeaders: (reply) => void reply.header('cache-control', 'no-cache'),
  });
}
