import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from '../../src/platform/app-config';

const load = (env: Record<string, string>) => loadConfig(env, '/srv/timeline');

function refusal(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to the embedded store in ./data on loopback port 3000, seeding the article', () => {
    expect(load({})).toMatchObject({ eventStore: 'sqlite', dataDir: '/srv/timeline/data', host: '127.0.0.1', port: 3000, seed: 'article' });
  });

  it('names the setting that is wrong', () => {
    expect(refusal({ PORT: '70000' }).setting).toBe('PORT');
    expect(refusal({ TIMELINE_EVENT_STORE: 'mongo' }).setting).toBe('TIMELINE_EVENT_STORE');
    expect(refusal({ TIMELINE_SEED: 'yes' }).setting).toBe('TIMELINE_SEED');
    expect(refusal({ TIMELINE_API_KEYS: 'short:admin' }).setting).toBe('TIMELINE_API_KEYS');
    expect(refusal({ TIMELINE_API_KEYS: 'a-key-of-sixteen-chars:root' }).setting).toBe('TIMELINE_API_KEYS');
    expect(refusal({ TIMELINE_VERIFY_THREADS: 'two' }).setting).toBe('TIMELINE_VERIFY_THREADS');
    expect(refusal({ TIMELINE_READ_THREADS: '-1' }).setting).toBe('TIMELINE_READ_THREADS');
  });

  it('answers knowledge queries on the main thread unless read worker threads are asked for', () => {
    expect(load({}).readThreads).toBe(0);
    expect(load({ TIMELINE_READ_THREADS: '0' }).readThreads).toBe(0);
    expect(load({ TIMELINE_READ_THREADS: '2' }).readThreads).toBe(2);
  });

  it('verifies in one worker thread a core (at most 8) unless told otherwise; 0 keeps verify on one thread', () => {
    expect(load({}).verifyThreads).toBe(Math.min(availableParallelism(), 8));
    expect(load({ TIMELINE_VERIFY_THREADS: '0' }).verifyThreads).toBe(0);
    expect(load({ TIMELINE_VERIFY_THREADS: '3' }).verifyThreads).toBe(3);
  });

  it('caps live streams at 1,000 in all and 100 a client unless told otherwise, and refuses a cap of 0', () => {
    expect(load({})).toMatchObject({ sseMaxStreams: 1000, sseMaxStreamsPerClient: 100 });
    expect(load({ TIMELINE_SSE_MAX_STREAMS: '50', TIMELINE_SSE_MAX_STREAMS_PER_CLIENT: '5' })).toMatchObject({ sseMaxStreams: 50, sseMaxStreamsPerClient: 5 });
    expect(refusal({ TIMELINE_SSE_MAX_STREAMS: '0' }).setting).toBe('TIMELINE_SSE_MAX_STREAMS');
    expect(refusal({ TIMELINE_SSE_MAX_STREAMS_PER_CLIENT: 'many' }).setting).toBe('TIMELINE_SSE_MAX_STREAMS_PER_CLIENT');
  });

  it('requires DATABASE_URL for the PostgreSQL store and KURRENTDB_URL as well for KurrentDB', () => {
    expect(refusal({ TIMELINE_EVENT_STORE: 'postgres' }).setting).toBe('DATABASE_URL');
    expect(refusal({ TIMELINE_EVENT_STORE: 'kurrentdb', DATABASE_URL: 'postgres://db/timeline' }).setting).toBe('KURRENTDB_URL');
    expect(refusal({ TIMELINE_EVENT_STORE: 'postgres', DATABASE_URL: 'mysql://db/timeline' }).message).toMatch(/postgres:\/\//);
  });

  it('accepts KurrentDB connection strings naming several nodes', () => {
    const config = load({
      TIMELINE_EVENT_STORE: 'kurrentdb',
      DATABASE_URL: 'postgresql://timeline@db:5432/timeline',
      KURRENTDB_URL: 'kurrentdb://node1:2113,node2:2113,node3:2113?tls=false',
    });
    expect(config.kurrentdbUrl).toBe('kurrentdb://node1:2113,node2:2113,node3:2113?tls=false');
  });

  it('reads API keys with their roles', () => {
    const config = load({ TIMELINE_API_KEYS: 'reader-key-0123456789:reader, editor-key-0123456789:editor' });
    expect([...config.apiKeys]).toEqual([
      ['reader-key-0123456789', 'reader'],
      ['editor-key-0123456789', 'editor'],
    ]);
  });

  it('refuses to listen on a non-loopback address without API keys, naming HOST and why', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', '10.0.0.5', 'timeline.example']) {
      const error = refusal({ HOST: host });
      expect({ host, setting: error.setting }).toEqual({ host, setting: 'HOST' });
      expect(error.message).toMatch(/not a loopback address.*TIMELINE_API_KEYS/);
      expect(error.message).not.toContain('\n');
    }
    expect(refusal({ HOST: '0.0.0.0', TIMELINE_API_KEYS: ' , ' }).setting).toBe('HOST');
  });

  it('listens on loopback addresses without keys, and anywhere with them', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(load({ HOST: host }).host).toBe(host);
    expect(load({ HOST: '0.0.0.0', TIMELINE_API_KEYS: 'an-admin-key-0123456789:admin' }).host).toBe('0.0.0.0');
  });

  it('gives clients 10 s for headers and 30 s for a whole request, closes idle keep-alive connections after 5 s, and limits failed authentications to 20 a minute', () => {
    expect(load({}).timeouts).toEqual({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 });
    expect(load({ TIMELINE_REQUEST_TIMEOUT_MS: '2000' }).timeouts).toEqual({ headersMs: 2000, requestMs: 2000, keepAliveMs: 5000 });
    expect(refusal({ TIMELINE_REQUEST_TIMEOUT_MS: '2000', TIMELINE_HEADERS_TIMEOUT_MS: '3000' }).setting).toBe('TIMELINE_HEADERS_TIMEOUT_MS');
    expect(refusal({ TIMELINE_KEEP_ALIVE_TIMEOUT_MS: '0' }).setting).toBe('TIMELINE_KEEP_ALIVE_TIMEOUT_MS');
    expect(load({}).authFailureLimitPerMinute).toBe(20);
    expect(load({ TIMELINE_AUTH_FAILURE_LIMIT: '0' }).authFailureLimitPerMinute).toBe(0);
  });
});
