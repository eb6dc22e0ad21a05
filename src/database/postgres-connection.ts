import { Pool } from 'pg';
import { ConfigError } from '../platform/app-config';

/** An error's message for a one-line configuration error. */
export const describeError = (error: unknown) => (error instanceof Error ? error.message || error.name : String(error));

/** A pool that has answered once; otherwise a one-line error naming DATABASE_URL. */
export async function connectPostgres(url: string): Promise<Pool> {
  const pool = new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined); // an idle client's lost connection: the next query reconnects
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new ConfigError('DATABASE_URL', `cannot reach PostgreSQL: ${describeError(error)}`);
  }
}
