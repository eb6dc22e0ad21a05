import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';

/** The PostgreSQL the tests use (the machine's, trust auth); override with TEST_DATABASE_URL. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether PostgreSQL answers, decided once when a spec file loads (jest registers tests
 * synchronously). In CI an unreachable server is a failure, never a skip.
 */
export const postgresAvailable: boolean = (() => {
  const probe = spawnSync(
    process.execPath,
    ['-e', `const {Client}=require('pg');const c=new Client(${JSON.stringify(TEST_DATABASE_URL)});c.connect().then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1))`],
    { timeout: 10_000, cwd: __dirname },
  );
  return probe.status === 0;
})();

/** `describe`, or a reported skip when PostgreSQL is unreachable outside CI. */
export function describeWithPostgres(name: string, body: () => void): void {
  if (postgresAvailable || process.env.CI) {
    describe(name, body);
    return;
  }
  process.stdout.write(`${name}: skipped, PostgreSQL is not reachable at ${TEST_DATABASE_URL} (set TEST_DATABASE_URL)\n`);
  describe.skip(name, body);
}

/** A fresh schema: its own tables, dropped afterwards. `url` sets it as the search_path. */
export async function aPostgresSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    async drop() {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
