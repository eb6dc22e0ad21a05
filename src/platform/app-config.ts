import { isAbsolute, join, resolve } from 'node:path';

export const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Everything the server is configured with, read and validated once at start. */
export type AppConfig = Readonly<{
  host: string;
  port: number;
  dataDir: string;
  eventStore: 'sqlite';
  /** Load the article's timeline into an empty store at start. */
  seed: 'article' | 'none';
  /** Bearer key -> role. Empty: no auth, loopback clients only. */
  apiKeys: ReadonlyMap<string, Role>;
  /** How long a read with `minPosition` (or a write, for read-your-writes) waits for projections. */
  projectionWaitMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}>;

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

/** Reads the configuration from the environment; throws {@link ConfigError} naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const dataDir = env.TIMELINE_DATA_DIR || join(cwd, 'data');
  const eventStore = env.TIMELINE_EVENT_STORE ?? 'sqlite';
  if (eventStore !== 'sqlite') {
    throw new ConfigError('TIMELINE_EVENT_STORE', `'${eventStore}' is not available in this build; use 'sqlite'`);
  }
  return {
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 3000, 0, 65535),
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    eventStore,
    seed: oneOf(env, 'TIMELINE_SEED', ['article', 'none'], 'article'),
    apiKeys: apiKeys(env.TIMELINE_API_KEYS),
    projectionWaitMs: integer(env, 'TIMELINE_PROJECTION_WAIT_MS', 5000, 0, 60000),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'silent'], 'info'),
  };
}
