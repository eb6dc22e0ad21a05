import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import helmet, { HelmetOptions } from 'helmet';
import { AppConfig } from '../platform/app-config';
import { isWebPageRoute } from './web-page';

/** An incoming `X-Request-Id` is kept only when it is a short token, so it cannot forge log lines. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The API answers JSON only: nothing in it may run, frame or load anything. */
const API_HEADERS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  // Served over plain HTTP behind whatever terminates TLS; that proxy owns HSTS.
  strictTransportSecurity: false,
};

/**
 * The OpenAPI page (@nestjs/swagger's swagger-ui): its scripts are files under /docs, its HTML has
 * inline <style> blocks and its icons are data: URIs; "Try it out" calls this origin. No
 * upgrade-insecure-requests, which would send the page's assets to an https port that is not there,
 * and no 'unsafe-eval': the bundle's one `new Function` is a globalThis fallback it does not need.
 */
const DOCS_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  strictTransportSecurity: false,
};

/**
 * The workbench page (`src/web`, bundled into one script and one stylesheet): nothing inline, nothing
 * from another origin; it only calls this origin's API. Inline style attributes stay refused: the page
 * and its chart set styles through the CSSOM, which CSP does not govern.
 */
const PAGE_HEADERS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  strictTransportSecurity: false,
};

const isDocsRoute = (url: string) => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs-');

/**
 * Limits and headers at the HTTP edge, for every route and for errors fastify answers before Nest:
 * timeouts (a client has `headersMs` for its headers and `requestMs` for the whole request; an idle
 * keep-alive connection closes after `keepAliveMs`; none of them cut a response being streamed, such
 * as `/v1/events/live`), an `X-Request-Id` on every response and log line, helmet's headers with a CSP
 * (one for the API, one for /docs, one for the workbench page), and `Cache-Control: no-store` on the API. Call before any route
 * is registered (the /docs routes pick their headers up as they are added).
 */
export function hardenEdge(adapter: FastifyAdapter, config: Pick<AppConfig, 'timeouts'>): void {
  const fastify = adapter.getInstance();
  const server = adapter.getHttpServer();
  server.headersTimeout = config.timeouts.headersMs;
  server.requestTimeout = config.timeouts.requestMs;
  server.keepAliveTimeout = config.timeouts.keepAliveMs;
  // Node looks for timed-out requests this often (30 s by default, longer than the timeouts themselves);
  // read when the server starts listening, though @types/node lists it as a constructor option only.
  (server as typeof server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, config.timeouts.headersMs);

  fastify.setGenReqId((request: IncomingMessage) => {
    const incoming = request.headers['x-request-id'];
    return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  });
  fastify.addHook('onRoute', (route) => {
    if (isDocsRoute(route.url)) route.config = { ...route.config, docs: true };
    else if (isWebPageRoute(route.url)) route.config = { ...route.config, page: true };
  });
  // helmet's middlewares, made once: each sets its precomputed headers (@fastify/helmet made one per request).
  const [api, docs, page] = [API_HEADERS, DOCS_HEADERS, PAGE_HEADERS].map((options) => helmet(options));
  fastify.addHook('onRequest', (request, reply, done) => {
    // On the raw response, so streams that write their own head (SSE) carry them too.
    reply.raw.setHeader('x-request-id', request.id);
    const served = request.routeOptions.config as { docs?: boolean; page?: boolean };
    if (!served.docs && !served.page) void reply.header('cache-control', 'no-store');
    (served.docs ? docs : served.page ? page : api)(request.raw, reply.raw, (error) => done(error as Error | undefined));
  });
}
