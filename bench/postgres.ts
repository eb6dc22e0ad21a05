import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * PostgreSQL for the benchmark: the server the tests use unless BENCH_DATABASE_URL says otherwise.
 * Every section works in a fresh schema of its own (like test/support/postgres.ts), dropped afterwards.
 */
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The URL with its password hidden, for the report. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Connects once: the server's version, or why it cannot be used. */
export async function probePostgres(url: string): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string; sync: string; autovacuum: string }>(
      "select current_setting('server_version') as version, current_setting('synchronous_commit') as sync, current_setting('autovacuum') as autovacuum",
    );
    return { ok: true, version: `PostgreSQL ${rows[0].version}, synchronous_commit=${rows[0].sync}, autovacuum=${rows[0].autovacuum}` };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message || error.name : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export type BenchSchema = Readonly<{
  /** The server's URL with this schema as search_path (what DATABASE_URL gets). */
  url: string;
  schema: string;
  /** Drops the schema (CASCADE); safe to call twice. */
  drop(): Promise<void>;
}>;

/** A fresh schema `timeline_bench_<pid>_<random>`, created at once. */
export async function createBenchSchema(baseUrl: string): Promise<BenchSchema> {
  const schema = `timeline_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(baseUrl, `CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    schema,
    drop: () => (dropped ??= adminQuery(baseUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    // Waiting on a lock someone forgot to release must not hang the clean-up.
    await client.query("SET lock_timeout = '20s'");
    await client.query(text);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * For the hard watchdog (which SIGKILLs the run): a detached node process that waits for `pid` to
 * be gone (its connections closed, their locks released), then drops the schemas.
 */
export function dropAfterExitScript(pid: number, url: string, schemas: readonly string[]): string {
  return `
    const { Client } = require('pg');
    const alive = () => { try { process.kill(${pid}, 0); return true; } catch { return false; } };
    (async () => {
      for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
      const client = new Client({ connectionString: ${JSON.stringify(url)}, connectionTimeoutMillis: 10000 });
      await client.connect();
      await client.query("SET lock_timeout = '30s'");
      for (const schema of ${JSON.stringify(schemas)}) await client.query('DROP SCHEMA IF EXISTS ' + schema + ' CASCADE');
      await client.end();
    })().catch(() => process.exit(1));`;
}

/** How fresh the planner's statistics are for the read-model tables of the schema `url` selects. */
export async function postgresStatistics(url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ relname: string; live: string; modified: string; analysed: boolean }>(
      `SELECT relname, n_live_tup AS live, n_mod_since_analyze AS modified,
              (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analysed
         FROM pg_stat_user_tables
        WHERE schemaname = current_schema()
          AND relname IN ('development_versions', 'development_topics', 'claim_versions', 'claim_retractions', 'status_segments')
        ORDER BY relname`,
    );
    // Stale as autovacuum would judge it: more than 10 % + 50 rows changed since the last ANALYZE.
    const state = (row: (typeof rows)[number]) =>
      !row.analysed ? 'NEVER analysed' : Number(row.modified) > 50 + 0.1 * Number(row.live) ? 'analysed, stale' : 'analysed';
    return rows
      .map((row) => `${row.relname} ${state(row)} (${Number(row.modified).toLocaleString('en-US')} of ${Number(row.live).toLocaleString('en-US')} rows changed since)`)
      .join('; ');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** ANALYZE of the knowledge read model's tables in the schema `url` selects. */
export async function analyzeReadModel(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('ANALYZE development_versions, development_topics, claim_versions, claim_retractions, status_segments');
  } finally {
    await client.end().catch(() => undefined);
  }
}
