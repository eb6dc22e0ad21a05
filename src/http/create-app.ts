import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from '../app.module';
import { AppConfig } from '../platform/app-config';
import { Clock, systemClock } from '../platform/clock';

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
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config, clock), adapter, {
    // fastify's own JSON parser only (with the body limit and poisoning checks above); no form bodies.
    bodyParser: false,
    logger: config.logLevel === 'silent' ? false : ['fatal', 'error', 'warn', 'log'].slice(0, levelIndex(config.logLevel)) as never,
  });
  // JSON only: any other media type is a 415 (fastify's errors reach the problem-details filter).
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Timeline')
      .setDescription('Event-sourced, bitemporal record of reported developments')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  await app.init();
  return app;
}

function levelIndex(level: AppConfig['logLevel']): number {
  return { fatal: 1, error: 2, warn: 3, info: 4, debug: 4, silent: 0 }[level];
}
