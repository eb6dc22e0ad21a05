import {
  SQLiteConnection,
  SQLiteConnectionPool,
  SQLiteEventStore,
  getSQLiteEventStore,
  readMessagesBatch,
  sqliteConnection,
} from '@event-driven-io/emmett-sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { COUNTS_TABLE, PAGE_SIZE, PeerEvent, PeerStore, PeerSystem, STREAM_LENGTH, SystemOptions } from './peer-system';

/** An event as Emmett takes it: our event id as its message id, so both carry the same bytes. */
export const emmettEvent = (event: PeerEvent) => ({
  type: event.type,
  data: event.data as Record<string, unknown>,
  metadata: { ...event.metadata, messageId: event.eventId },
});

/** Emmett's stream version counts the events in the stream (0n: it must not exist yet). */
function emmettStore(store: Pick<SQLiteEventStore, 'appendToStream'>): PeerStore {
  return {
    async append(streamId, events, eventsInStream) {
      await store.appendToStream(streamId, events.map(emmettEvent), { expectedStreamVersion: BigInt(eventsInStream) });
    },
  };
}

async function withConnection<T>(fileName: string, use: (connection: SQLiteConnection) => Promise<T>): Promise<T> {
  const connection = sqliteConnection({ fileName });
  try {
    return await use(connection);
  } finally {
    connection.close();
  }
}

/**
 * Emmett's SQLite event store as its README sets it up: `getSQLiteEventStore({ fileName })`. It opens
 * a new sqlite3 connection for every call (and closes it after), sets WAL on it and nothing else.
 */
export async function open(options: SystemOptions): Promise<PeerSystem> {
  const logFile = join(options.dir, 'log', 'emmett.sqlite');
  const appendsFile = join(options.dir, 'appends', 'emmett.sqlite');
  mkdirSync(join(options.dir, 'log'), { recursive: true });
  mkdirSync(join(options.dir, 'appends'), { recursive: true });
  const log = getSQLiteEventStore({ fileName: logFile });
  const appends = getSQLiteEventStore({ fileName: appendsFile });
  await log.schema.migrate();
  await appends.schema.migrate();
  await withConnection(logFile, (connection) => connection.command(`CREATE TABLE IF NOT EXISTS ${COUNTS_TABLE} (stream_id TEXT PRIMARY KEY, events BIGINT NOT NULL)`));
  // The pool Emmett's consumers read the log through: a connection per batch.
  const pool = SQLiteConnectionPool({ fileName: logFile });
  return {
    log: emmettStore(log),
    appends: emmettStore(appends),
    files: [join(options.dir, 'log'), join(options.dir, 'appends')],
    async readLog() {
      let after = 0n;
      let read = 0;
      for (;;) {
        const batch = await pool.withConnection((connection) => readMessagesBatch(connection, { after, batchSize: PAGE_SIZE }));
        read += batch.messages.length;
        if (!batch.areEventsLeft) return read;
        after = batch.currentGlobalPosition;
      }
    },
    async readStream(streamId) {
      return (await log.readStream(streamId)).events.length;
    },
    async resetCounts() {
      await withConnection(logFile, (connection) => connection.command(`DELETE FROM ${COUNTS_TABLE}`));
    },
    async rebuild(name) {
      const last = await withConnection(logFile, (connection) => connection.querySingle<{ head: number }>('SELECT max(global_position) AS head FROM emt_messages'));
      const head = BigInt(last?.head ?? 0);
      // Emmett's consumer with one processor from the beginning: each batch in one transaction,
      // the handler's upsert and a checkpoint stored per message; it stops after the head.
      const consumer = log.consumer({ pulling: { batchSize: PAGE_SIZE, pullingFrequencyInMs: 0 } });
      consumer.processor({
        processorId: name,
        startFrom: 'BEGINNING',
        stopAfter: (message) => message.metadata.globalPosition >= head,
        eachMessage: async (message, context) => {
          await context.connection.command(
            `INSERT INTO ${COUNTS_TABLE} (stream_id, events) VALUES (?, 1) ON CONFLICT (stream_id) DO UPDATE SET events = events + 1`,
            [message.metadata.streamName],
          );
        },
      });
      await consumer.start();
      await consumer.stop();
    },
    async counts() {
      const row = await withConnection(logFile, (connection) =>
        connection.querySingle<{ streams: number; events: number; off: number }>(
          `SELECT count(*) AS streams, coalesce(sum(events), 0) AS events, coalesce(sum(events <> ?), 0) AS off FROM ${COUNTS_TABLE}`,
          [STREAM_LENGTH],
        ),
      );
      return { streams: row?.streams ?? 0, events: row?.events ?? 0, streamsNotAtLength: row?.off ?? 0 };
    },
    async facts() {
      // What a connection opened as Emmett opens each of its own sees.
      return withConnection(appendsFile, async (connection) => {
        const pragma = async (name: string) => Object.values((await connection.querySingle<Record<string, unknown>>(`PRAGMA ${name}`)) ?? {})[0];
        return [
          `journal_mode=${String(await pragma('journal_mode'))}`,
          `synchronous=${String(await pragma('synchronous'))} (2 = FULL)`,
          `busy_timeout=${String(await pragma('busy_timeout'))} ms`,
        ];
      });
    },
    async close() {
      await pool.close();
    },
  };
}
