import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { withPreparedStatements } from './postgres-prepared-statements';
import { ReadModelDatabase, ReadModelTransaction, migrateToLatest } from './read-model-database';
import { ReadModelSchema } from './schema';

/** Read models on PostgreSQL, on a pool the storage owns (and closes). */
export class PostgresReadModelDatabase implements ReadModelDatabase {
  readonly query: Kysely<ReadModelSchema>;

  constructor(pool: Pool) {
    this.query = new Kysely({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.query);
  }

  write<T>(section: (trx: ReadModelTransaction) => Promise<T>): Promise<T> {
    return this.query.transaction().execute(section);
  }

  /** Autovacuum may be off (it is on some servers): analyse the read model's tables ourselves. */
  async refreshStatistics(): Promise<void> {
    await sql`ANALYZE development_versions, development_topics, claim_versions, claim_retractions, status_segments, description_terms, claim_terms`.execute(this.query);
  }

  async close(): Promise<void> {
    // The pool belongs to the storage, which ends it after the event store is done with it.
  }
}
