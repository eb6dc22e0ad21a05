import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/bootstrap/create-app';
import { AppConfig, loadConfig } from '../../src/platform/app-config';
import { Clock, systemClock } from '../../src/platform/clock';
import { aPostgresSchema } from './postgres';

export type TestResponse = { status: number; headers: Record<string, unknown>; body: any; text: string };

export type TestApp = {
  app: NestFastifyApplication;
  config: AppConfig;
  request(method: string, url: string, options?: { body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  get(url: string, headers?: Record<string, string>): Promise<TestResponse>;
  post(url: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  close(): Promise<void>;
};

/** Which event store the e2e tests run on: `TIMELINE_TEST_STORE=postgres` runs them on PostgreSQL. */
const testStore = () => (process.env.TIMELINE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');

/** A PostgreSQL schema per data dir, so restarting on the same `dataDir` finds the same data. */
const schemas = new Map<string, Awaited<ReturnType<typeof aPostgresSchema>>>();

/** Drops the schemas of apps whose data was kept for a restart. */
export async function dropTestSchemas(): Promise<void> {
  for (const [dataDir, schema] of schemas) {
    await schema.drop();
    schemas.delete(dataDir);
  }
}

async function storeEnv(dataDir: string): Promise<Record<string, string>> {
  if (testStore() === 'sqlite') return {};
  let schema = schemas.get(dataDir);
  if (!schema) {
    schema = await aPostgresSchema();
    schemas.set(dataDir, schema);
  }
  return { TIMELINE_EVENT_STORE: 'postgres', DATABASE_URL: schema.url };
}

/**
 * An in-process app on a fresh temp data dir (no seed unless asked), driven through fastify's
 * inject: real HTTP parsing, validation and error handling, no socket.
 */
export async function startTestApp(
  options: { env?: Record<string, string>; clock?: Clock; dataDir?: string; keepData?: boolean } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'timeline-test-'));
  const config = loadConfig({
    TIMELINE_SEED: 'none',
    LOG_LEVEL: 'silent',
    ...(await storeEnv(dataDir)),
    ...options.env,
    TIMELINE_DATA_DIR: dataDir,
  });
  const app = await createApp(config, options.clock ?? systemClock);
  const fastify = app.getHttpAdapter().getInstance();

  const request: TestApp['request'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    let payload: string | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    } else if (payload !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    const response = await fastify.inject({ method: method as 'GET', url, payload, headers });
    let body: unknown;
    try {
      body = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.statusCode, headers: response.headers, body, text: response.body };
  };

  return {
    app,
    config,
    request,
    get: (url, headers) => request('GET', url, { headers }),
    post: (url, body, headers) => request('POST', url, { body, headers }),
    async close() {
      await app.close();
      if (options.keepData || options.dataDir) return;
      rmSync(dataDir, { recursive: true, force: true });
      await schemas.get(dataDir)?.drop();
      schemas.delete(dataDir);
    },
  };
}
