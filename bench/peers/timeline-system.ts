import { sql } from 'kysely';
import { Storage } from '../../src/bootstrap/open-storage';
import { ExpectedVersion } from '../../src/event-store/event-store.port';
import { Projection } from '../../src/projections/projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { COUNTS_TABLE, PAGE_SIZE, PeerStore, PeerSystem, RebuildCounts, STREAM_LENGTH } from './peer-system';

const REBUILD_TIMEOUT_MS = 600_000;

/** Timeline's expected version for a stream holding `eventsInStream` events (versions are 0-based). */
const expectedVersion = (eventsInStream: number): ExpectedVersion => (eventsInStream === 0 ? 'no-stream' : BigInt(eventsInStream - 1));

function timelineStore(storage: Storage): PeerStore {
  return {
    async append(streamId, events, eventsInStream) {
      await storage.eventStore.append(streamId, events, expectedVersion(eventsInStream));
    },
  };
}

/** One upsert per event, in the transaction that stores the runner's checkpoint after the batch. */
function countsProjection(name: string): Projection {
  return {
    name,
    takes: 'stored',
    async apply(trx, events) {
      for (const event of events) {
        await sql`INSERT INTO peer_counts (stream_id, events) VALUES (${event.streamId}, 1)
                  ON CONFLICT (stream_id) DO UPDATE SET events = peer_counts.events + 1`.execute(trx);
      }
    },
  };
}

/**
 * Timeline's event store through its port, on the storage `openStorage` gives the server (the same
 * migrations, connections and settings), for either backend. The rebuild is a `ProjectionRunner`,
 * as the server runs its projections.
 */
export async function timelineSystem(
  log: Storage,
  appends: Storage,
  files: readonly string[],
  facts: () => Promise<string[]>,
  appendTransactions?: (streamPrefix: string) => Promise<number>,
): Promise<PeerSystem> {
  await log.readModel.write((trx) => sql`CREATE TABLE IF NOT EXISTS ${sql.raw(COUNTS_TABLE)} (stream_id TEXT PRIMARY KEY, events BIGINT NOT NULL)`.execute(trx));
  return {
    log: timelineStore(log),
    appends: timelineStore(appends),
    files,
    async readLog() {
      let after = 0n;
      let read = 0;
      for (;;) {
        const page = await log.eventStore.readAll({ after, limit: PAGE_SIZE });
        read += page.length;
        if (page.length < PAGE_SIZE) return read;
        after = page[page.length - 1].position;
      }
    },
    async readStream(streamId) {
      return (await log.eventStore.readStream(streamId)).length;
    },
    async resetCounts() {
      await log.readModel.write((trx) => sql`DELETE FROM ${sql.raw(COUNTS_TABLE)}`.execute(trx));
    },
    async rebuild(name) {
      const runner = new ProjectionRunner(log.eventStore, log.readModel, countsProjection(name));
      const head = await log.eventStore.headPosition();
      await runner.start();
      try {
        if (!(await runner.waitFor(head, REBUILD_TIMEOUT_MS))) throw new Error(`the rebuild did not reach position ${head} within ${REBUILD_TIMEOUT_MS / 1000} s`);
      } finally {
        await runner.stop();
      }
    },
    async counts(): Promise<RebuildCounts> {
      const { rows } = await sql<{ streams: unknown; events: unknown; off: unknown }>`
        SELECT count(*) AS streams, coalesce(sum(events), 0) AS events, coalesce(sum(CASE WHEN events <> ${STREAM_LENGTH} THEN 1 ELSE 0 END), 0) AS off
          FROM ${sql.raw(COUNTS_TABLE)}`.execute(log.readModel.query);
      return { streams: Number(rows[0].streams), events: Number(rows[0].events), streamsNotAtLength: Number(rows[0].off) };
    },
    facts,
    appendTransactions,
    async close() {
      await log.close();
      await appends.close();
    },
  };
}
