import { Kysely, PostgresAdapter, sql } from 'kysely';
import { ReadModelDatabase } from '../database/read-model-database';

/**
 * The right to publish for one relay name: at most one holder per database, so instances sharing a
 * database do not publish the same events side by side. A lost lease shows up at the next
 * {@link RelayLease.confirm}; in the meantime the stream's expected-last-sequence check keeps a
 * stale holder from adding anything out of order.
 */
export interface RelayLease {
  /** True when this process now holds the lease; false when another does. */
  tryAcquire(): Promise<boolean>;
  /** Throws when the lease was lost (e.g. its connection dropped). */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

/** Namespace of the relay's advisory locks (`'nats'`); the log's append lock uses the one-key form. */
const LEASE_CLASS = 0x6e617473;

/** PostgreSQL: a session advisory lock on a connection held while leading; dies with the process. */
class PostgresRelayLease implements RelayLease {
  private held?: { connection: Kysely<unknown>; release: () => void };
  private finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<unknown>,
    private readonly relay: string,
  ) {}

  tryAcquire(): Promise<boolean> {
    if (this.held) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      const session = this.db.connection().execute(async (connection) => {
        // Keyed by schema too: deployments sharing one PostgreSQL database in their own schemas are apart.
        const { rows } = await sql<{ locked: boolean }>`
          select pg_try_advisory_lock(${LEASE_CLASS}, hashtext(current_schema() || '/' || ${this.relay})) as locked`.execute(connection);
        if (!rows[0]?.locked) return resolve(false);
        await new Promise<void>((release) => {
          this.held = { connection, release };
          resolve(true);
        });
        await sql`select pg_advisory_unlock(${LEASE_CLASS}, hashtext(current_schema() || '/' || ${this.relay}))`.execute(connection);
      });
      this.finished = session.then(
        () => {
          this.held = undefined;
        },
        (error: unknown) => {
          this.held = undefined;
          reject(error);
        },
      );
    });
  }

  async confirm(): Promise<void> {
    if (!this.held) throw new Error('the relay lease is not held');
    await sql`select 1`.execute(this.held.connection);
  }

  async release(): Promise<void> {
    this.held?.release();
    await this.finished;
  }
}

/** The embedded store is one process: nobody to share with. */
const soleProcessLease: RelayLease = {
  tryAcquire: async () => true,
  confirm: async () => undefined,
  release: async () => undefined,
};

export function relayLease(db: ReadModelDatabase, relay: string): RelayLease {
  return db.query.getExecutor().adapter instanceof PostgresAdapter ? new PostgresRelayLease(db.query as Kysely<unknown>, relay) : soleProcessLease;
}
