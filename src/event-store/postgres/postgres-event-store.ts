import { EventEmitter } from 'node:events';
import { DatabaseError, Pool, PoolClient } from 'pg';
import { Clock } from '../../platform/clock';
import {
  AppendResult,
  EventStore,
  EventSubscription,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  StoredEvent,
  StoredEventText,
  SubscribeOptions,
  checkDistinctEventIds,
  storedJson,
} from '../event-store.port';
import { EventRow, storedEventOf, storedEventTextOf } from '../event-row';
import { LogPage, SharedReads, pollingSubscription } from '../polling-subscription';
import { QueuedAppend, appendInOneTransaction } from './append-batch';
import { BatchOutcome, GroupCommit } from '../group-commit';

/** One advisory lock key for the whole log: appends take it for their transaction. */
const APPEND_LOCK = 0x74696d65; // "time"
const CHANNEL = 'timeline_events';
/** Bounds of one group-committed transaction: it holds the log's lock while it runs. */
const BATCH_LIMITS = { maxRequests: 64, maxItems: 1000 };
/** Without a notification (e.g. one lost while reconnecting), subscribers still poll this often. */
const POLL_MS = 1000;

/**
 * The event store on one PostgreSQL server.
 *
 * Commit order is serialised: every append takes a transaction-scoped advisory lock before it reads
 * the head, so positions are assigned (head + 1, gap-free) and committed in the same order, and a
 * reader that has seen position P can never later find a smaller one committed. Appenders on other
 * app instances and the same database are serialised the same way. Appends that arrive while one
 * transaction is in flight are committed together in the next ({@link GroupCommit}), each checked
 * on its own, so writers of one instance share commits. Subscribers wake on LISTEN/NOTIFY (sent on
 * commit) and poll as a fallback.
 */
export class PostgresEventStore implements EventStore {
  private readonly appended = new EventEmitter().setMaxListeners(0);
  private readonly sharedReads = new SharedReads((options) => this.page(options, storedEventOf), this.appended);
  private readonly sharedTextReads = new SharedReads((options) => this.page(options, storedEventTextOf), this.appended);
  private listener?: Promise<PoolClient>;
  private readonly commits = new GroupCommit<QueuedAppend, AppendResult>((appends) => this.commitBatch(appends), {
    ...BATCH_LIMITS,
    itemsOf: (append) => append.events.length,
  });

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    checkDistinctEventIds(events);
    const written = events.map((event) => ({
      eventId: event.eventId,
      type: event.type,
      data: storedJson(event.data),
      metadata: storedJson(event.metadata),
    }));
    return this.commits.submit({ streamId, events, expected, now: new Date(this.clock.now()).toISOString(), written });
  }

  /**
   * One transaction for the whole batch (migrations/0007_postgres_append_batch_function.ts), each
   * append decided on its own. When the server refuses the batch as a whole (e.g. text it cannot
   * store), its appends are sent again one by one, so only the one at fault fails.
   */
  private async commitBatch(appends: readonly QueuedAppend[]): Promise<BatchOutcome<AppendResult>[]> {
    try {
      return await this.appendBatch(appends);
    } catch (error) {
      if (appends.length === 1 || !(error instanceof DatabaseError)) throw error;
      const outcomes: BatchOutcome<AppendResult>[] = [];
      for (const append of appends) {
        try {
          outcomes.push(...(await this.appendBatch([append])));
        } catch (alone) {
          outcomes.push({ ok: false, error: alone });
        }
      }
      return outcomes;
    }
  }

  private async appendBatch(appends: readonly QueuedAppend[]): Promise<BatchOutcome<AppendResult>[]> {
    const { outcomes, head } = await appendInOneTransaction(this.pool, APPEND_LOCK, appends);
    if (head !== undefined) this.appended.emit('appended', head);
    return outcomes;
  }

  async readStream(streamId: string, { afterVersion = -1n }: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const result = await this.pool.query<EventRow>('SELECT * FROM events WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version', [streamId, afterVersion.toString()]);
    return result.rows.map(storedEventOf);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return (await this.page(options, storedEventOf)).events;
  }

  async readAllText(options: ReadAllOptions = {}): Promise<StoredEventText[]> {
    return (await this.page(options, storedEventTextOf)).events;
  }

  private async page<E>(options: ReadAllOptions, map: (row: EventRow) => E): Promise<LogPage<E>> {
    const { rows, more } = await this.rows(options);
    return { events: rows.map(map), more };
  }

  private async rows(options: ReadAllOptions): Promise<{ rows: EventRow[]; more: boolean }> {
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
    const page = `FROM events WHERE ${where.join(' AND ')} ORDER BY position${limit}`;
    if (options.maxBytes === undefined) {
      const { rows } = await this.pool.query<EventRow>(`SELECT * ${page}`, params);
      return { rows, more: options.limit !== undefined && rows.length >= options.limit };
    }
    // Sized on the server, so rows past the budget are never sent (octet_length reads no TOASTed
    // text); `next_position`, taken before the limit, says whether any matching row follows.
    params.push(Math.max(0, Math.floor(options.maxBytes)));
    const window = 'OVER (ORDER BY position)';
    const sized = `SELECT *, sum(octet_length(data) + octet_length(metadata)) ${window} AS page_bytes, row_number() ${window} AS page_row, lead(position) ${window} AS next_position ${page}`;
    const { rows } = await this.pool.query<EventRow & { next_position: string | null }>(
      `SELECT * FROM (${sized}) sized WHERE page_bytes <= $${params.length} OR page_row = 1 ORDER BY position`,
      params,
    );
    return { rows, more: rows.length > 0 && rows[rows.length - 1].next_position !== null };
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
    // Appends already queued still get their transaction: the pool closes after this.
    await this.commits.close();
    this.appended.emit('closed');
    const listener = await this.listener?.catch(() => undefined);
    if (listener) {
      await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => undefined);
      listener.release();
    }
  }
}
