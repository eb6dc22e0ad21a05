import { EventEmitter } from 'node:events';
import { Pool, PoolClient } from 'pg';
import { Clock } from '../../platform/clock';
import {
  AppendResult,
  EventStore,
  EventSubscription,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  StoredEvent,
  SubscribeOptions,
  checkDistinctEventIds,
  checkExpectedVersion,
  retriedAppend,
} from '../event-store.port';
import { pollingSubscription } from '../polling-subscription';

type EventRow = {
  position: string;
  stream_id: string;
  stream_version: string;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: BigInt(row.position),
    streamId: row.stream_id,
    streamVersion: BigInt(row.stream_version),
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at,
  };
}

/** One advisory lock key for the whole log: appends take it for their transaction. */
const APPEND_LOCK = 0x74696d65; // "time"
const CHANNEL = 'timeline_events';
/** Without a notification (e.g. one lost while reconnecting), subscribers still poll this often. */
const POLL_MS = 1000;

/**
 * The event store on one PostgreSQL server.
 *
 * Commit order is serialised: every append takes a transaction-scoped advisory lock before it reads
 * the head, so positions are assigned (head + 1, gap-free) and committed in the same order, and a
 * reader that has seen position P can never later find a smaller one committed. Appenders on other
 * app instances and the same database are serialised the same way. Subscribers wake on
 * LISTEN/NOTIFY (sent on commit) and poll as a fallback.
 */
export class PostgresEventStore implements EventStore {
  private readonly appended = new EventEmitter().setMaxListeners(0);
  private listener?: Promise<PoolClient>;

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    checkDistinctEventIds(events);
    const client = await this.pool.connect();
    try {
      // Four round trips: begin and lock; what is already there; insert and notify; commit.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
      const result = await this.appendLocked(client, streamId, events, expected);
      await client.query('COMMIT');
      this.appended.emit('appended', result.position);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Under the append lock: a retried batch's original result, or the batch appended at head + 1. */
  private async appendLocked(client: PoolClient, streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const ids = events.map((event) => event.eventId);
    const { rows } = await client.query<EventRow & { kind: 'found' | 'state'; version: string | null; head: string | null; head_recorded_at: string | null }>(
      `SELECT 'found' AS kind, e.*, NULL AS version, NULL AS head, NULL AS head_recorded_at FROM events e WHERE e.event_id = ANY($1::text[])
       UNION ALL
       SELECT 'state', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
              (SELECT max(stream_version)::text FROM events WHERE stream_id = $2),
              (SELECT max(position)::text FROM events),
              (SELECT e.recorded_at FROM events e ORDER BY e.position DESC LIMIT 1)`,
      [ids, streamId],
    );
    const found = new Map(rows.filter((row) => row.kind === 'found').map((row) => [row.event_id, toStoredEvent(row)]));
    const retried = retriedAppend(streamId, events, ids.map((id) => found.get(id)));
    if (retried) return retried;
    const state = rows.find((row) => row.kind === 'state')!;
    const version = state.version === null ? undefined : BigInt(state.version);
    checkExpectedVersion(streamId, expected, version ?? 'no-stream');
    const recordedAt = new Date(Math.max(this.clock.now(), state.head_recorded_at ? Date.parse(state.head_recorded_at) : 0)).toISOString();
    const firstPosition = (state.head === null ? 0n : BigInt(state.head)) + 1n;
    const firstVersion = (version ?? -1n) + 1n;
    const stored = events.map(
      (event, i): StoredEvent => ({
        position: firstPosition + BigInt(i),
        streamId,
        streamVersion: firstVersion + BigInt(i),
        eventId: event.eventId,
        type: event.type,
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: event.metadata,
        recordedAt,
      }),
    );
    const columns = 8;
    const values = stored
      .map((_, i) => `(${Array.from({ length: columns }, (_c, c) => `$${i * columns + c + 2}`).join(', ')})`)
      .join(', ');
    const lastStored = stored[stored.length - 1];
    await client.query(
      `WITH inserted AS (
         INSERT INTO events (position, stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES ${values} RETURNING 1
       )
       SELECT pg_notify('${CHANNEL}', $1) FROM (SELECT count(*) FROM inserted) AS done`,
      [
        lastStored.position.toString(),
        ...stored.flatMap((event) => [
          event.position.toString(),
          streamId,
          event.streamVersion.toString(),
          event.eventId,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          recordedAt,
        ]),
      ],
    );
    return { streamVersion: lastStored.streamVersion, position: lastStored.position, events: stored };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const result = await this.pool.query<EventRow>('SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version', [streamId]);
    return result.rows.map(toStoredEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const params: unknown[] = [(options.after ?? 0n).toString()];
    const where = ['position > $1'];
    if (options.types && options.types.length > 0) {
      params.push(options.types);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    if (options.streamPrefix !== undefined) {
      // left() rather than LIKE: prefixes may contain % or _.
      params.push(options.streamPrefix);
      where.push(`left(stream_id, char_length($${params.length}::text)) = $${params.length}::text`);
    }
    let limit = '';
    if (options.limit !== undefined) {
      params.push(Math.max(0, Math.floor(options.limit)));
      limit = ` LIMIT $${params.length}`;
    }
    const result = await this.pool.query<EventRow>(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY position${limit}`, params);
    return result.rows.map(toStoredEvent);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    void this.listen();
    return pollingSubscription(this, this.appended, options, POLL_MS);
  }

  /** One LISTEN connection per store, opened on the first subscription: appends by other instances wake subscribers. */
  private listen(): Promise<PoolClient | undefined> {
    this.listener ??= this.pool.connect().then(async (client) => {
      client.on('notification', (message) => this.appended.emit('appended', message.payload));
      client.on('error', () => undefined);
      await client.query(`LISTEN ${CHANNEL}`);
      return client;
    });
    return this.listener.catch(() => undefined);
  }

  async headPosition(): Promise<bigint> {
    const result = await this.pool.query<{ head: string | null }>('SELECT max(position) AS head FROM events');
    return result.rows[0].head === null ? 0n : BigInt(result.rows[0].head);
  }

  async close(): Promise<void> {
    this.appended.emit('closed');
    const listener = await this.listener?.catch(() => undefined);
    if (listener) {
      await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
      listener.release();
    }
  }
}
