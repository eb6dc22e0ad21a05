import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Pool } from 'pg';

/**
 * Reads only: writes of many rows (a projection's batch) come in as many texts as row counts, and
 * a session keeps every statement it prepared until it ends.
 */
const READ = /^\s*(select|with)\b/i;

/** One name per query text: pg prepares a name once per connection and refuses it for another text. */
function statementName(sql: string): string {
  return `k${createHash('sha1').update(sql).digest('base64url')}`;
}

/**
 * `pool` for kysely's PostgresDialect, running every read that has parameters as a named prepared
 * statement: each connection parses and plans a query shape once (then PostgreSQL may keep a
 * generic plan), where an unnamed statement is planned on every call, which for the read model's
 * queries costs about as much as running them. Parameterless ones (BEGIN, DDL) and writes run as they are.
 */
export function withPreparedStatements(pool: Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      // kysely calls query(sql, parameters) only: no cursor is configured.
      const query = (sql: string, parameters: readonly unknown[]) =>
        parameters.length > 0 && READ.test(sql)
          ? client.query({ name: statementName(sql), text: sql, values: [...parameters] })
          : client.query(sql, [...parameters]);
      return {
        query: query as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
