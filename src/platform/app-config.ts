import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Everything the server is configured with, read and validated once at start. */
export type AppConfig = Readonly<{
  host: string;
  port: number;
  dataDir: string;
  /** Where events are stored; read models live in the SQLite file (sqlite) or in PostgreSQL (the others). */
  eventStore: EventStoreKind;
  /** PostgreSQL, for `postgres` (events and read models) and `kurrentdb` (read models). */
  databaseUrl?: string;
  /** KurrentDB connection string, for `kurrentdb`. */
  kurrentdbUrl?: string;
  /** Ed25519 private key (PKCS #8 PEM) that signs audit tree heads; default: generated into `dataDir`. */
  signingKeyFile?: string;
  /** Load the article's timeline into an empty store at start. */
  seed: 'article' | 'none';
  /** Bearer key -> role. Empty: no auth, loopback clients only. */
  apiKeys: ReadonlyMap<string, Role>;
  /** How long a read with `minPosition` (or a write, for read-your-writes) waits for projections. */
  projectionWaitMs: number;
  /** Requests per minute per API key (or client address); 0: no limit. Default: 6000 with keys, off without. */
  rateLimitPerMinute: number;
  /** Failed authentications per minute per client address before it gets 429s without a key check; 0: no limit. */
  authFailureLimitPerMinute: number;
  /** How long a client has to send a request's headers, and the whole request; idle keep-alive connections close after the third. */
  timeouts: Readonly<{ headersMs: number; requestMs: number; keepAliveMs: number }>;
  /** Leaf ranges `/v1/audit/verify` (and `cli -- verify`) check at a time: worker threads on the embedded store, queries on PostgreSQL (at most 2); 0: one thread. */
  verifyThreads: number;
  /** Worker threads that answer `/v1/knowledge` and a development's view on the embedded store, each on its own read-only connection; 0 (default): the main thread. */
  readThreads: number;
  /** Bytes of `/v1/knowledge` pages (with `asOf` given) kept as JSON for the state of the read model they were read at; 0: none. */
  knowledgeCacheBytes: number;
  /** `/v1/events/live` sends a heartbeat comment after this long idle, and drops a client that takes nothing for twice as long. */
  sseHeartbeatMs: number;
  /** Open `/v1/events/live` streams the server serves at once; one more is answered 503. */
  sseMaxStreams: number;
  /** Open streams per API key (per client address without keys); one more is answered 429. */
  sseMaxStreamsPerClient: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** NATS server for the JetStream relay (`src/relay`); the relay is off when absent. */
  natsUrl?: string;
  /** The JetStream stream the relay publishes into (created or updated at start). */
  natsStream: string;
  /** Events go to `<prefix>.<type>`; the stream takes `<prefix>.>`. */
  natsSubjectPrefix: string;
  /** The built workbench page (`index.html`, `assets/`); default: `dist/web`, which `npm run build` writes. */
  webDir?: string;
}>;

/**
 * None: pages asked again come from the page cache on this thread, and a worker pays off only for
 * pages read anew. Since workers hand over a page's JSON bytes rather than its objects (whose copy
 * cost about half its query), one costs a lone client up to 10 % once started and two served such
 * reads 1.37-1.47× as fast at eight connections on 2 cores; see bench/README.md.
 */
export const DEFAULT_READ_THREADS = 0;

/** Pages of `/v1/knowledge` kept, in MiB: some hundred pages of 100 developments. */
export const DEFAULT_KNOWLEDGE_CACHE_MB = 64;

/** One verify worker a core, at most 8. */
export const DEFAULT_VERIFY_THREADS = Math.min(availableParallelism(), 8);

export const EVENT_STORE_KINDS = ['sqlite', 'postgres', 'kurrentdb'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

export const APP_CONFIG = Symbol('AppConfig');

/** A setting is wrong; the message names it and says what is expected. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}

function apiKeys(raw: string | undefined): Map<string, Role> {
  const keys = new Map<string, Role>();
  for (const entry of (raw ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [key, role] = entry.split(':');
    if (!key || key.length < 16 || !ROLES.includes(role as Role)) {
      throw new ConfigError('TIMELINE_API_KEYS', `entries are <key of 16+ characters>:<${ROLES.join('|')}>, got '${entry.slice(0, 8)}…'`);
    }
    keys.set(key, role as Role);
  }
  return keys;
}

/** An address (to listen on, or a client's) only this machine can reach; `localhost` resolves to one. */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** Any other interface lets other machines in, and without keys anyone reaching it could write. */
function host(env: NodeJS.ProcessEnv, keys: ReadonlyMap<string, Role>): string {
  const value = env.HOST || '127.0.0.1';
  if (!isLoopback(value) && keys.size === 0) {
    throw new ConfigError('HOST', `${value} is not a loopback address and TIMELINE_API_KEYS is empty: anyone reaching it could read and write (set TIMELINE_API_KEYS, or HOST=127.0.0.1)`);
  }
  return value;
}

function timeouts(env: NodeJS.ProcessEnv): AppConfig['timeouts'] {
  const requestMs = integer(env, 'TIMELINE_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  // Node refuses a header timeout longer than the request timeout.
  const headersMs = integer(env, 'TIMELINE_HEADERS_TIMEOUT_MS', Math.min(10_000, requestMs), 100, requestMs);
  return { headersMs, requestMs, keepAliveMs: integer(env, 'TIMELINE_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000) };
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: readonly string[], required: boolean): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    if (required) throw new ConfigError(name, `is required with TIMELINE_EVENT_STORE=${env.TIMELINE_EVENT_STORE}`);
    return undefined;
  }
  // The scheme only: KurrentDB's multi-node strings (`kurrentdb://a:2113,b:2113`) are no WHATWG URL.
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\/\S+$/i.exec(raw);
  if (!scheme) throw new ConfigError(name, `is not a URL (expected ${protocols[0]}//...)`);
  const protocol = scheme[1].toLowerCase();
  if (!protocols.includes(protocol)) throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return raw;
}

function matching(env: NodeJS.ProcessEnv, name: string, pattern: RegExp, expected: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!pattern.test(raw)) throw new ConfigError(name, `must be ${expected}, got '${raw}'`);
  return raw;
}

/** Reads the configuration from the environment; throws {@link ConfigError} naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const dataDir = env.TIMELINE_DATA_DIR || join(cwd, 'data');
  const eventStore = oneOf(env, 'TIMELINE_EVENT_STORE', EVENT_STORE_KINDS, 'sqlite');
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], eventStore !== 'sqlite');
  const kurrentdbUrl = url(env, 'KURRENTDB_URL', ['kurrentdb:', 'kurrentdb+discover:', 'esdb:', 'esdb+discover:'], eventStore === 'kurrentdb');
  const keys = apiKeys(env.TIMELINE_API_KEYS);
  return {
    databaseUrl,
    kurrentdbUrl,
    signingKeyFile: env.TIMELINE_SIGNING_KEY_FILE ? resolve(cwd, env.TIMELINE_SIGNING_KEY_FILE) : undefined,
    host: host(env, keys),
    port: integer(env, 'PORT', 3000, 0, 65535),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    eventStore,
    seed: oneOf(env, 'TIMELINE_SEED', ['article', 'none'], 'article'),
    apiKeys: keys,
    projectionWaitMs: integer(env, 'TIMELINE_PROJECTION_WAIT_MS', 5000, 0, 60000),
    rateLimitPerMinute: integer(env, 'TIMELINE_RATE_LIMIT', env.TIMELINE_API_KEYS ? 6000 : 0, 0, 1_000_000),
    authFailureLimitPerMinute: integer(env, 'TIMELINE_AUTH_FAILURE_LIMIT', 20, 0, 1_000_000),
    timeouts: timeouts(env),
    sseHeartbeatMs: integer(env, 'TIMELINE_SSE_HEARTBEAT_MS', 15000, 100, 300000),
    sseMaxStreams: integer(env, 'TIMELINE_SSE_MAX_STREAMS', 1000, 1, 100_000),
    sseMaxStreamsPerClient: integer(env, 'TIMELINE_SSE_MAX_STREAMS_PER_CLIENT', 100, 1, 100_000),
    verifyThreads: integer(env, 'TIMELINE_VERIFY_THREADS', DEFAULT_VERIFY_THREADS, 0, 64),
    readThreads: integer(env, 'TIMELINE_READ_THREADS', DEFAULT_READ_THREADS, 0, 64),
    knowledgeCacheBytes: integer(env, 'TIMELINE_KNOWLEDGE_CACHE_MB', DEFAULT_KNOWLEDGE_CACHE_MB, 0, 65_536) * 1024 * 1024,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'silent'], 'info'),
    natsUrl: url(env, 'TIMELINE_NATS_URL', ['nats:'], false),
    natsStream: matching(env, 'TIMELINE_NATS_STREAM', /^[A-Za-z0-9_-]{1,64}$/, 'a stream name of letters, digits, _ and - (1 to 64)', 'TIMELINE'),
    webDir: env.TIMELINE_WEB_DIR ? resolve(cwd, env.TIMELINE_WEB_DIR) : undefined,
    natsSubjectPrefix: matching(env, 'TIMELINE_NATS_SUBJECT_PREFIX', /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens of letters, digits, _ and -', 'timeline.events'),
  };
}
