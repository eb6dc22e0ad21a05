import { dumbo, sql } from '@event-driven-io/dumbo';
import {
  PostgresEventStore,
  getPostgreSQLEventStore,
  postgreSQLRawSQLProjection,
  readMessagesBatch,
  rebuildPostgreSQLProjections,
} from '@event-driven-io/emmett-postgresql';
import { Client } from 'pg';
import { emmettEvent } from './emmett-sqlite';
import { COUNTS_TABLE, EVENT_TYPE, PAGE_SIZE, PeerStore, PeerSystem, STREAM_LENGTH, SystemOptions } from './peer-system';
import { postgresFacts } from './timeline-postgres';

function emmettStore(store: PostgresEventStore): PeerStore {
  return {
    async append(streamId, events, eventsInStream) {
      await store.appendToStream(streamId, events.map(emmettEvent), { expectedStreamVersion: BigInt(eventsInStream) });
    },
  };
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Emmett's PostgreSQL event store as its README sets it up: `getPostgreSQLEventStore(connectionString)`
 * (a shared `pg` pool, one transaction per append through its `emt_append_to_stream` function).
 */
export async function open(options: SystemOptions): Promise<PeerSystem> {
  const log = getPostgreSQLEventStore(options.logUrl);
  const appends = getPostgreSQLEventStore(options.appendsUrl);
  await log.schema.migrate();
  await appends.schema.migrate();
  await query(options.logUrl, `CREATE TABLE IF NOT EXISTS ${COUNTS_TABLE} (stream_id TEXT PRIMARY KEY, events BIGINT NOT NULL)`);
  // Dumbo shares one pg pool per connection string: the store's, which Emmett's consumers read through.
  const pool = dumbo({ connectionString: options.logUrl });
  return {
    log: emmettStore(log),
    appends: emmettStore(appends),
    files: [],
    async readLog() {
      let after = 0n;
      let read = 0;
      for (;;) {
        const batch = await readMessagesBatch(pool.execute, { after, batchSize: PAGE_SIZE });
        read += batch.messages.length;
        if (!batch.areMessagesLeft) return read;
        after = batch.currentGlobalPosition;
      }
    },
    async readStream(streamId) {
      return (await log.readStream(streamId)).events.length;
    },
    async resetCounts() {
      await query(options.logUrl, `DELETE FROM ${COUNTS_TABLE}`);
    },
    async rebuild(name) {
      // Emmett's own rebuild: a consumer that stops when no message is left, one projector; each
      // batch in one transaction, the projection's SQL and a checkpoint per message.
      const consumer = rebuildPostgreSQLProjections({
        connectionString: options.logUrl,
        projection: postgreSQLRawSQLProjection({
          name,
          canHandle: [EVENT_TYPE],
          evolve: (event) =>
            sql(
              `INSERT INTO ${COUNTS_TABLE} (stream_id, events) VALUES (%L, 1) ON CONFLICT (stream_id) DO UPDATE SET events = ${COUNTS_TABLE}.events + 1`,
              (event as unknown as { metadata: { streamName: string } }).metadata.streamName,
            ),
        }),
        pulling: { batchSize: PAGE_SIZE, pullingFrequencyInMs: 0 },
      });
      await consumer.start();
      await consumer.close();
    },
    async counts() {
      const [row] = await query<{ streams: string; events: string; off: string }>(
        options.logUrl,
        `SELECT count(*) AS streams, coalesce(sum(events), 0) AS events, count(*) FILTER (WHERE events <> $1) AS off FROM ${COUNTS_TABLE}`,
        [STREAM_LENGTH],
      );
      // In the order its reads return them, the messages whose position is below one already returned.
      const [behind] = await query<{ n: string }>(
        options.logUrl,
        `SELECT count(*) AS n FROM (
           SELECT global_position, max(global_position) OVER (ORDER BY transaction_id, global_position ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS seen
             FROM emt_messages) m
          WHERE global_position < seen`,
      );
      return { streams: Number(row.streams), events: Number(row.events), streamsNotAtLength: Number(row.off), behindEarlier: Number(behind.n) };
    },
    facts: () => postgresFacts(options.appendsUrl),
    async appendTransactions(streamPrefix) {
      const [row] = await query<{ n: string }>(options.appendsUrl, 'SELECT count(DISTINCT xmin::text) AS n FROM emt_messages WHERE stream_id LIKE $1', [`${streamPrefix}%`]);
      return Number(row.n);
    },
    async close() {
      await log.close();
      await appends.close();
    },
  };
}
