import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { ApiKeys } from '../http/auth/api-keys';
import { hardenEdge } from '../http/edge-hardening';
import { FASTIFY_PROBLEM_OPTIONS } from '../http/fastify-problems';
import { enforceInputLimits } from '../http/input-limits';
import { openApiDocument } from '../http/openapi/openapi-document';
import { drainRefusedBodies } from '../http/refused-body-drain';
import { DEFAULT_WEB_DIR, serveWebPage } from '../http/web-page';
import { AppConfig } from '../platform/app-config';
import { Clock, systemClock } from '../platform/clock';
import { AppModule } from './app.module';
import { openStorage } from './open-storage';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The HTTP application, initialised but not listening: main listens, tests inject. */
export async function createApp(config: AppConfig, clock: Clock = systemClock): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Refuse `__proto__` and `constructor.prototype` keys instead of stripping them silently.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // fastify's own pino logger: one JSON line per request at `info`, nothing when silent.
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    ...FASTIFY_PROBLEM_OPTIONS,
  });
  // Timeouts, request ids and security headers, before any route is added.
  hardenEdge(adapter, config);
  // Storage opens first, outside Nest, so an unreachable backend is one ConfigError line, not a stack.
  const storage = await openStorage(config, clock);
  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, storage, clock), adapter, {
      // fastify's own JSON parser only (with the body limit and poisoning checks above); no form bodies.
      bodyParser: false,
      logger: NEST_LOG_LEVELS[config.logLevel],
    });
  } catch (error) {
    await storage.close();
    throw error;
  }
  // JSON only: any other media type is a 415 (fastify's errors reach the problem-details filter).
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  // No body is read for a caller without a key; bad input never reaches a recursive walk, and a
  // refused body is read so its client sees the answer.
  app.getHttpAdapter().getInstance().addHook('onRequest', app.get(ApiKeys).beforeBody);
  enforceInputLimits(app.getHttpAdapter().getInstance());
  drainRefusedBodies(app.getHttpAdapter().getInstance());
  SwaggerModule.setup('docs', app, openApiDocument(app));
  await serveWebPage(app.getHttpAdapter().getInstance(), config.webDir ?? DEFAULT_WEB_DIR);
  await app.init();
  return app;
}

/** Nest's own messages; route mapping and module init only at debug. */
const NEST_LOG_LEVELS: Record<AppConfig['logLevel'], false | LogLevel[]> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};
