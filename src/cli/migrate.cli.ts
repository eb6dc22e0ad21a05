import { withStorage } from '../bootstrap/open-storage';
import { connectPostgres } from '../database/postgres-connection';
import { PostgresReadModelDatabase } from '../database/postgres-read-model-database';
import { ConfigError, loadConfig } from '../platform/app-config';
import { systemClock } from '../platform/clock';
import { messageOf } from '../platform/error-message';

/**
 * `npm run migrate`: applies `migrations/` to the configured database (DATABASE_URL for the server
 * backends; the embedded file otherwise, which also migrates itself at start).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.eventStore === 'sqlite') {
    await withStorage(config, systemClock, {}, async () => undefined);
    process.stdout.write(`timeline migrate: ${config.dataDir} is up to date\n`);
    return;
  }
  const pool = await connectPostgres(config.databaseUrl!);
  try {
    await new PostgresReadModelDatabase(pool).migrate();
    process.stdout.write('timeline migrate: the PostgreSQL database is up to date\n');
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  const prefix = error instanceof ConfigError ? 'configuration error' : 'failed';
  process.stderr.write(`timeline migrate: ${prefix}: ${messageOf(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
