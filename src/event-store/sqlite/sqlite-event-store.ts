import type { Database, Statement } from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { SqliteDatabase } from '../../database/sqlite-database';
import { storageFailureOf } from '../../database/storage-errors';
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
  EventIdConflictError,
  WrongExpectedVersionError,
  appendedEvent,
  checkDistinctEventIds,
  checkExpectedVersion,
  retriedAppend,
  storedJson,
} from '../event-store.port';
import { EventRow, storedEventOf, storedEventTextOf } from '../event-row';
import { BatchOutcome, GroupCommit } from '../group-commit';
import { LogPage, SharedReads, pollingSubscription } from '../polling-subscription';

/** Polls for appends made by another process on the same file (the server's, for a CLI command that runs beside it). */
const CROSS_PROCESS_POLL_MS = 500;

/** An append waiting for its transaction, its events' data and metadata already stored text. */
type QueuedAppend = Readonly<{
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedVersion;
  written: readonly Readonly<{ data: string; metadata: string }>[];
}>;

/** A batch written in its transaction: each append's outcome, and the log's last position before it. */
type WrittenBatch = Readonly<{ after: bigint; outcomes: BatchOutcome<AppendResult>[] }>;

/** Work run in each append transaction, on what it wrote, before its COMMIT. */
export interface InlineWork {
  /**
   * Given the events the transaction wrote (those after `after`, in position order, each once);
   * answers what runs once it committed, which must not throw (the appends are stored).
   */
  apply(events: readonly StoredEvent[], after: bigint): Promise<() => void>;
  /** The transaction was rolled back after `apply` began (it failed, or COMMIT did): nothing it wrote stands. */
  rolledBack(error: unknown): void;
}

/**
 * The events a batch wrote, in position order, each once: a retried append answers events written
 * before it (in the log, or earlier in the same batch), which are not new.
 */
function eventsWritten({ after, outcomes }: WrittenBatch): StoredEvent[] {
  const events: StoredEvent[] = [];
  let last = after;
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    for (const event of outcome.value.events) {
      if (event.position <= last) continue;
      events.push(event);
      last = event.position;
    }
  }
  return events;
}

/**
 * A batch's bounds: enough to share one fsync among many writers, small enough to keep the lock
 * briefly. A commit blocks the thread, so appends arriving in the same turn of the event loop (the
 * requests of several connections) are gathered first.
 */
const BATCH_LIMITS = { maxRequests: 256, maxItems: 5_000, gatherFirst: true };

/** What only the append it concerns fails with: the others of its batch commit (SQLite's own errors fail the batch). */
const failsAlone = (error: unknown): boolean => error instanceof WrongExpectedVersionError || error instanceof EventIdConflictError;

/**
 * The event store in the embedded SQLite file. One process writes. Appends that arrive while a
 * transaction commits (or while a projection holds the writer) share the next transaction and its
 * one fsync ({@link GroupCommit}), in the order submitted: each is checked before it writes, so one
 * refused for its expected version or event ids fails alone. The server's projections apply the
 * events in the same transaction when they are caught up ({@link runInAppendTransactions}).
 */
export class SqliteEventStore implements EventStore {
  private readonly appended = new EventEmitter().setMaxListeners(0);
  private readonly commits = new GroupCommit<QueuedAppend, AppendResult>((appends) => this.commitBatch(appends), {
    ...BATCH_LIMITS,
    itemsOf: (append) => append.events.length,
  });
  /** Transactions that appended, since open: appends ÷ this is how many appends share an fsync. */
  private committedTransactions = 0;
  private readonly sharedReads = new SharedReads(async (options) => this.page(options, storedEventOf), this.appended);
  private readonly sharedTextReads = new SharedReads(async (options) => this.page(options, storedEventTextOf), this.appended);
  private readonly readAllStatements = new Map<string, Statement>();
  private readonly statements: {
    streamVersion: Statement<[string], { version: bigint | null }>;
    last: Statement<[], { position: bigint; recorded_at: string }>;
    byEventId: Statement<[string], EventRow>;
    insert: Statement<[string, bigint, string, string, string, string, string]>;
    readStream: Statement<[string, bigint], EventRow>;
    head: Statement<[], { head: bigint | null }>;
  };

  constructor(
    readonly sqlite: SqliteDatabase,
    private readonly clock: Clock,
  ) {
    const w = sqlite.writer;
    const r = sqlite.logReader;
    this.statements = {
      streamVersion: w.prepare('SELECT max(stream_version) AS version FROM events WHERE stream_id = ?'),
      last: w.prepare('SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1'),
      byEventId: w.prepare('SELECT * FROM events WHERE event_id = ?'),
      insert: w.prepare(
        'INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING position',
      ),
      readStream: r.prepare('SELECT * FROM events WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version'),
      head: r.prepare('SELECT max(position) AS head FROM events'),
    };
    for (const statement of Object.values(this.statements)) statement.safeIntegers(true);
    this.control = { begin: w.prepare('BEGIN IMMEDIATE'), commit: w.prepare('COMMIT'), rollback: w.prepare('ROLLBACK') };
  }

  private readonly control: Readonly<Record<'begin' | 'commit' | 'rollback', Statement>>;

  async append(streamId: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    checkDistinctEventIds(events);
    // Serialised now, as the caller's objects stand: data that is not JSON fails this call alone.
    const written = events.map((event) => ({ data: storedJson(event.data), metadata: storedJson(event.metadata) }));
    return this.commits.submit({ streamId, events, expected, written });
  }

  /** Appends made and transactions they took, since open (the benchmark's fsyncs per append). */
  get commitStats(): { transactions: number } {
    return { transactions: this.committedTransactions };
  }

  /**
   * The batch in one transaction. When SQLite refuses it for something one append may carry (a
   * constraint, or a full disk, which a smaller transaction may still fit), each is tried alone, so
   * only that one fails; a busy store fails them all at once (each alone would wait out the busy
   * timeout again).
   */
  private async commitBatch(appends: readonly QueuedAppend[]): Promise<BatchOutcome<AppendResult>[]> {
    try {
      return await this.commitTogether(appends);
    } catch (error) {
      if (appends.length === 1 || storageFailureOf(error) === 'busy') throw error;
      const outcomes: BatchOutcome<AppendResult>[] = [];
      for (const append of appends) {
        const busy = outcomes.find((outcome) => !outcome.ok && storageFailureOf(outcome.error) === 'busy');
        if (busy) {
          outcomes.push(busy);
          continue;
        }
        try {
          outcomes.push(...(await this.commitTogether([append])));
        } catch (alone) {
          outcomes.push({ ok: false, error: alone });
        }
      }
      return outcomes;
    }
  }

  private async commitTogether(appends: readonly QueuedAppend[]): Promise<BatchOutcome<AppendResult>[]> {
    const { outcomes } = await this.sqlite.write(() => (this.inline ? this.transactionWithInline(this.inline, appends) : this.batchTransaction.immediate(appends)));
    this.committedTransactions += 1;
    // The highest position written (a retried append answers its earlier one).
    const positions = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value.position] : []));
    if (positions.length > 0) this.appended.emit('appended', positions.reduce((a, b) => (b > a ? b : a)));
    return outcomes;
  }

  /**
   * Has `work` run in every append transaction, after the batch's events are written and before it
   * commits, given the events it wrote (the server's projections, so that one fsync stores both).
   * What `work` answers runs once the transaction committed. `work` must settle its own failures
   * (a savepoint): a transaction that fails with it anyway is rolled back (and `work` told) and run
   * again without it, so it never fails an append.
   */
  runInAppendTransactions(work: InlineWork | undefined): void {
    this.inline = work;
  }

  private inline: InlineWork | undefined;

  private async transactionWithInline(work: InlineWork, appends: readonly QueuedAppend[]): Promise<WrittenBatch> {
    // BEGIN IMMEDIATE that waited out busy_timeout fails the batch: alone it would wait again.
    this.control.begin.run();
    let written: WrittenBatch;
    let committed: (() => void) | undefined;
    let applying = false;
    try {
      // Nested in the open transaction: a savepoint.
      written = this.batchTransaction(appends);
      const events = eventsWritten(written);
      applying = events.length > 0;
      if (applying) committed = await work.apply(events, written.after);
      this.control.commit.run();
    } catch (error) {
      if (this.sqlite.writer.inTransaction) this.control.rollback.run();
      // The appends' own failure, as without the work: commitBatch tries each alone.
      if (!applying) throw error;
      // The work failed the transaction: the appends go again without it.
      work.rolledBack(error);
      return this.batchTransaction.immediate(appends);
    }
    committed?.();
    return written;
  }

  /**
   * The appends of a batch in one transaction (IMMEDIATE: the write lock before the first read, so a
   * writer in another process, a CLI catch-up, makes it wait out busy_timeout instead of failing the
   * upgrade from read to write). An append refused for its expected version or its event ids is
   * refused before it writes anything, so it fails alone with no savepoint to roll back; an error
   * from SQLite itself rolls the whole batch back (and {@link commitBatch} tries each alone).
   */
  private readonly batchTransaction = this.sqlite.writer.transaction((appends: readonly QueuedAppend[]): WrittenBatch => {
    const last = this.statements.last.get();
    let floorMs = last ? Date.parse(last.recorded_at) : 0;
    const outcomes = appends.map((append): BatchOutcome<AppendResult> => {
      try {
        const value = this.appendInTransaction(append, floorMs);
        floorMs = Math.max(floorMs, Date.parse(value.events[value.events.length - 1].recordedAt));
        return { ok: true, value };
      } catch (error) {
        if (failsAlone(error)) return { ok: false, error };
        throw error;
      }
    });
    return { after: last?.position ?? 0n, outcomes };
  });

  /** Checks, then writes: nothing is written unless every check passed. `floorMs`: the latest recordedAt in the log. */
  private appendInTransaction({ streamId, events, expected, written }: QueuedAppend, floorMs: number): AppendResult {
    const already = this.alreadyAppended(streamId, events);
    if (already) return already;
    const current = this.statements.streamVersion.get(streamId)?.version ?? null;
    checkExpectedVersion(streamId, expected, current === null ? 'no-stream' : current);
    const recordedAt = new Date(Math.max(this.clock.now(), floorMs)).toISOString();
    let version = current ?? -1n;
    const stored = events.map((event, i): StoredEvent => {
      version += 1n;
      const { data, metadata } = written[i];
      const row = this.statements.insert.get(streamId, version, event.eventId, event.type, data, metadata, recordedAt) as {
        position: bigint;
      };
      return appendedEvent({ position: row.position, streamId, streamVersion: version, eventId: event.eventId, type: event.type, data, metadata, recordedAt });
    });
    return { streamVersion: version, position: stored[stored.length - 1].position, events: stored };
  }

  private alreadyAppended(streamId: string, events: readonly NewEvent[]): AppendResult | undefined {
    const found = events.map((event) => this.statements.byEventId.get(event.eventId));
    return retriedAppend(streamId, events, found.map((row) => row && storedEventOf(row)));
  }

  async readStream(streamId: string, { afterVersion = -1n }: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return this.statements.readStream.all(streamId, afterVersion).map(storedEventOf);
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.page(options, storedEventOf).events;
  }

  async readAllText(options: ReadAllOptions = {}): Promise<StoredEventText[]> {
    return this.page(options, storedEventTextOf).events;
  }

  private page<E>(options: ReadAllOptions, map: (row: EventRow) => E): LogPage<E> {
    const { rows, more } = this.rows(this.sqlite.logReader, options);
    return { events: rows.map(map), more };
  }

  private rows(db: Database, options: ReadAllOptions): { rows: EventRow[]; more: boolean } {
    const where = ['position > ?'];
    const params: unknown[] = [options.after ?? 0n];
    if (options.types && options.types.length > 0) {
      where.push(`type IN (${options.types.map(() => '?').join(', ')})`);
      params.push(...options.types);
    }
    if (options.streamPrefix !== undefined) {
      // substr compare rather than LIKE: prefixes may contain % or _.
      where.push('substr(stream_id, 1, length(?)) = ?');
      params.push(options.streamPrefix, options.streamPrefix);
    }
    const limit = options.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(options.limit))}`;
    const { maxBytes } = options;
    const columns = maxBytes === undefined ? '*' : '*, octet_length(data) + octet_length(metadata) AS text_bytes';
    const source = `SELECT ${columns} FROM events WHERE ${where.join(' AND ')} ORDER BY position${limit}`;
    // Subscriptions run this after every append: prepare each shape once.
    let statement = this.readAllStatements.get(source);
    if (!statement) {
      statement = db.prepare(source).safeIntegers(true);
      if (this.readAllStatements.size >= 200) this.readAllStatements.clear();
      this.readAllStatements.set(source, statement);
    }
    const full = (rows: EventRow[]) => options.limit !== undefined && rows.length >= options.limit;
    if (maxBytes === undefined) {
      const rows = statement.all(...params) as EventRow[];
      return { rows, more: full(rows) };
    }
    // Row by row, so the rows past the budget are never read into memory.
    const rows: EventRow[] = [];
    let bytes = 0;
    for (const row of statement.iterate(...params) as IterableIterator<EventRow & { text_bytes: bigint }>) {
      bytes += Number(row.text_bytes);
      if (rows.length > 0 && bytes > maxBytes) return { rows, more: true };
      rows.push(row);
    }
    return { rows, more: full(rows) };
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return pollingSubscription(this.sharedReads.readAll, this.appended, options, CROSS_PROCESS_POLL_MS);
  }

  subscribeText(options: SubscribeOptions = {}): EventSubscription<StoredEventText> {
    return pollingSubscription(this.sharedTextReads.readAll, this.appended, options, CROSS_PROCESS_POLL_MS);
  }

  async headPosition(): Promise<bigint> {
    return this.statements.head.get()?.head ?? 0n;
  }

  async close(): Promise<void> {
    // Appends already queued still get their transaction before the file closes; later ones are refused.
    await this.commits.close();
    this.appended.emit('closed');
  }
}
