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
  StoredEventText,
  SubscribeOptions,
  WrongExpectedVersionError,
  checkDistinctEventIds,
  retriedAppend,
  storedJson,
} from '../event-store.port';
import { EventRow, storedEventOf, storedEventTextOf } from '../event-row';
import { SharedReads, pollingSubscription } from '../polling-subscription';


/** One advisory lock key for the whole log: appends take it for their transaction. */
const APPEND_LOCK = 0x74696d65; // "time"
const CHANNEL = 'timeline_events';
/** How timeline_append refuses a write whose expected version does not hold. */
const WRONG_VERSION = /^timeline:wrong-expected-version:(no-stream|\d+)$/;
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
  private readonly sharedReads = new SharedReads((options) => this.readAll(options), this.appended);
  private readonly sharedTextReads = new SharedReads((options) => this.readAllText(options), this.appended);
  private listener?: Promise<PoolClient>;

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    checkDistinctEventIds(events);
    const batch = events.map((event) => ({
      eventId: event.eventId,
      type: event.type,
      data: storedJson(event.data),
      metadata: storedJson(event.metadata),
    }));
    let rows: (EventRow & { kind: 'found' | 'inserted' })[];
    try {
      // One statement, one round trip, one commit: see migrations/0006_postgres_append_function.ts.
      ({ rows } = await this.pool.query('SELECT * FROM timeline_append($1, $2, $3, $4, $5::jsonb)', [
        APPEND_LOCK,
        streamId,
        typeof expected === 'bigint' ? expected.toString() : expected,
        new Date(this.clock.now()).toISOString(),
        JSON.stringify(batch),
      ]));
    } catch (error) {
      const refused = error instanceof Error ? WRONG_VERSION.exec(error.message) : null;
      if (!refused) throw error;
      throw new WrongExpectedVersionError(streamId, expected, refused[1] === 'no-stream' ? 'no-stream' : BigInt(refused[1]));
    }
    if (rows[0]?.kind === 'found') {
      const found = new Map(rows.map((row) => [row.event_id, storedEventOf(row)]));
      return retriedAppend(streamId, events, events.map((event) => found.get(event.eventId)))!;
    }
    const stored = rows.map(storedEventOf).sort((a, b) => (a.position < b.position ? -1 : 1));
    const last = stored[stored.length - 1];
    this.appended.emit('appended', last.position);
    return { streamVersion: last.streamVersion, position: last.position, events: stored };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const result = await this.pool.query<EventRow>('SELECT * FROM events WHERE stream_id = $1 ORDER BY stream_version', [streamId]);
    return result.rows.map(storedEventOf);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return (await this.rows(options)).map(storedEventOf);
  }

  async readAllText(options: ReadAllOptions = {}): Promise<StoredEventText[]> {
    return (await this.rows(options)).map(storedEventTextOf);
  }

  private async rows(options: ReadAllOptions): Promise<EventRow[]> {
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
    return result.rows;
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    void this.listen();
    return pollingSubscription(this.sharedReads.readAll, this.appended, options, POLL_MS);
  }

  subscribeText(options: SubscribeOptions = {}): EventSubscription<StoredEventText> {
    void this.listen();
    return pollingSubscription(this.sharedTextReads.readAll, this.appended, options, POLL_MS);
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
