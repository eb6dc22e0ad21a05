import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { sql } from 'kysely';
import { compiledRows, runCompiled } from '../database/compiled-query';
import { ReadModelDatabase, ReadModelTransaction, SqliteReadModelDatabase } from '../database/read-model-database';
import { EventStore, EventSubscription, StoredEvent } from '../event-store/event-store.port';
import { InlineWork, SqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { BatchOutcome } from '../event-store/group-commit';
import { upcast } from '../event-store/upcasters';
import { AsyncMutex } from '../platform/async-mutex';
import { LogConsumer } from './log-consumers';
import { Projection } from './projection';
import { messageOf } from '../platform/error-message';

const MAX_BATCH = 1000;
/** After a failure the runner follows the log again after this pause, doubled each time up to the max. */
export const RETRY_FIRST_MS = 100;
export const RETRY_MAX_MS = 5000;
/**
 * The planner's statistics are refreshed after the first batch, then each time the log has doubled
 * since, and at least every this many events. Statistics taken when the log was small, kept while it
 * grows, make SQLite's planner scan whole tables (the log itself, for every subscription's read).
 */
const STATISTICS_EVERY = 20_000;

/** The runners of every projection in the server, started: {@link ProjectionsModule} provides them. */
export const PROJECTION_RUNNERS = Symbol('ProjectionRunners');

type Waiter = { position: bigint; resolve: (reached: boolean) => void; timer: NodeJS.Timeout };

/**
 * The runners on one read-model database flush the batches they have taken in the same turn of the
 * event loop together: one transaction, so one fsync, for every projection's share of the same new
 * events. Each applies in its own savepoint, so one that fails is undone and fails alone.
 */
export class FlushTurns {
  private readonly due = new Set<ProjectionRunner>();
  private scheduled = false;

  schedule(runner: ProjectionRunner): void {
    this.due.add(runner);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const runners = [...this.due];
      this.due.clear();
      void ProjectionRunner.flushTogether(runners);
    });
  }
}

/** Runners take their flush locks in this order when they flush together, so two joint flushes never wait on each other. */
let runnersMade = 0;
const byName = (a: ProjectionRunner, b: ProjectionRunner): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.order - b.order);

/** A runner's batch, taken from its buffer to apply. */
type TakenBatch = Readonly<{ runner: ProjectionRunner; batch: readonly StoredEvent[] }>;

/**
 * Keeps one projection up to date from the log: subscribes after its checkpoint, applies events in
 * batches, and stores the checkpoint in the same transaction as the rows, so a restart neither
 * skips nor repeats an event. A batch that fails (a full disk, a busy store) rolls back; the runner
 * then follows the log again from its last applied position, with a growing pause, until it succeeds.
 */
export class ProjectionRunner implements LogConsumer {
  private readonly logger: Logger;
  private position = 0n;
  private lastRecordedAtMs = 0;
  /** The log position reached when the statistics were last refreshed, and the events applied since. */
  private statisticsAt: bigint | undefined;
  private appliedSinceStatistics = 0;
  private subscription?: EventSubscription;
  private buffer: StoredEvent[] = [];
  readonly order = runnersMade++;
  private readonly flushLock = new AsyncMutex();
  private waiters: Waiter[] = [];
  /** The last failure, until a batch is applied again. */
  private failure?: Error;
  private retryDelayMs = 0;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    private readonly projection: Projection,
    private readonly turns = new FlushTurns(),
  ) {
    this.logger = new Logger(`Projection:${projection.name}`);
  }

  get name(): string {
    return this.projection.name;
  }

  /** 'retrying' from a failed batch until a batch is applied again (its lag grows meanwhile). */
  get state(): 'running' | 'retrying' {
    return this.failure ? 'retrying' : 'running';
  }

  /** The position of the last event applied. */
  get checkpoint(): bigint {
    return this.position;
  }

  /** The latest transaction time among the events applied (0 before any). */
  get recordedAtMs(): number {
    return this.lastRecordedAtMs;
  }

  async start(): Promise<void> {
    const row = await this.db.query
      .selectFrom('projection_checkpoints')
      .select(['position', 'recorded_at'])
      .where('projection', '=', this.projection.name)
      .executeTakeFirst();
    this.position = row ? BigInt(row.position) : 0n;
    this.lastRecordedAtMs = row?.recorded_at ? Date.parse(row.recorded_at) : 0;
    this.follow();
  }

  private follow(): void {
    const subscription = this.store.subscribe({ after: this.position });
    this.subscription = subscription;
    void this.consume(subscription);
  }

  private async consume(subscription: EventSubscription): Promise<void> {
    try {
      for await (const event of subscription) {
        // A subscription given up after a failure may still yield what it had read.
        if (subscription !== this.subscription) return;
        // Applied already, in the transaction that appended it (see inAppendTransactions).
        if (event.position <= this.position) continue;
        this.buffer.push(event);
        if (this.buffer.length >= MAX_BATCH) await this.flush();
        else this.scheduleFlush();
      }
      if (subscription === this.subscription) await this.flush();
    } catch (error) {
      this.fail(error);
    }
  }

  private scheduleFlush(): void {
    this.turns.schedule(this);
  }

  private flush(): Promise<void> {
    return ProjectionRunner.flushTogether([this]);
  }

  /**
   * Applies the batch each runner has buffered in one transaction, each in its own savepoint when
   * there are several (the runners must share one database, as those of one {@link FlushTurns} do).
   * A runner whose batch fails follows the log again after a pause. When the transaction itself
   * fails (SQLite may roll it back whole, on a full disk), each batch is tried again in a transaction
   * of its own, so only the one that cannot be applied fails. Resolves once each has applied, or failed.
   * Batches are applied (and their checkpoint rows locked) in the order of the projections' names,
   * the same on every instance sharing the database, so two instances never lock them crosswise.
   */
  static async flushTogether(runners: readonly ProjectionRunner[]): Promise<void> {
    const ordered = [...runners].sort(byName);
    const locked = (i: number): Promise<void> => (i === ordered.length ? ProjectionRunner.applyTogether(ordered) : ordered[i].flushLock.run(() => locked(i + 1)));
    await locked(0);
  }

  private static async applyTogether(runners: readonly ProjectionRunner[]): Promise<void> {
    const taken = runners.flatMap((runner) => (runner.buffer.length > 0 ? [{ runner, batch: runner.buffer.splice(0) }] : []));
    if (taken.length === 0) return;
    const db = taken[0].runner.db;
    let outcomes: BatchOutcome<number>[];
    try {
      // Alone, a batch's failure is the transaction's.
      outcomes = await db.write((trx) => ProjectionRunner.applyEach(trx, taken, taken.length > 1));
    } catch (error) {
      if (taken.length === 1) outcomes = [{ ok: false, error }];
      else {
        outcomes = [];
        for (const { runner, batch } of taken) {
          try {
            outcomes.push({ ok: true, value: await db.write((trx) => runner.apply(trx, batch)) });
          } catch (alone) {
            outcomes.push({ ok: false, error: alone });
          }
        }
      }
    }
    await ProjectionRunner.settle(db, taken, outcomes, (runner, error) => runner.fail(error));
  }

  /** Each batch applied in `trx`, in order, in a savepoint of its own when `savepoints` (one that fails is undone alone), else in `trx` itself. */
  private static async applyEach(trx: ReadModelTransaction, taken: readonly TakenBatch[], savepoints: boolean): Promise<BatchOutcome<number>[]> {
    const results: BatchOutcome<number>[] = [];
    for (const { runner, batch } of taken) {
      if (!savepoints) {
        results.push({ ok: true, value: await runner.apply(trx, batch) });
        continue;
      }
      await sql`SAVEPOINT projection_batch`.execute(trx);
      try {
        results.push({ ok: true, value: await runner.apply(trx, batch) });
      } catch (error) {
        // Undone alone; a savepoint that cannot be undone fails the whole transaction.
        await sql`ROLLBACK TO SAVEPOINT projection_batch`.execute(trx);
        results.push({ ok: false, error });
      }
      await sql`RELEASE SAVEPOINT projection_batch`.execute(trx);
    }
    return results;
  }

  /** After the transaction committed: each runner whose batch was applied has applied it (then the planner's statistics, if due); `failed` for the others. */
  private static settle(db: ReadModelDatabase, taken: readonly TakenBatch[], outcomes: readonly BatchOutcome<number>[], failed: (runner: ProjectionRunner, error: unknown) => void): Promise<void> {
    // Every committed batch answers its waiters before any statistics are refreshed.
    let statisticsDue = false;
    for (const [i, { runner, batch }] of taken.entries()) {
      const outcome = outcomes[i];
      if (outcome.ok) statisticsDue = runner.applied(batch, outcome.value) || statisticsDue;
      else failed(runner, outcome.error);
    }
    if (!statisticsDue) return Promise.resolve();
    // The batches are committed: a failed refresh costs the planner, not the projections.
    return db.refreshStatistics().catch((error: unknown) => taken[0].runner.logger.warn(`planner statistics not refreshed: ${messageOf(error)}`));
  }

  /**
   * Whether this runner can apply the events appended after `after` in the transaction that appends
   * them: it has applied everything up to `after` and holds nothing unapplied, and is neither
   * retrying nor stopped.
   */
  private followsFrom(after: bigint): boolean {
    return this.position === after && this.buffer.length === 0 && !this.failure && !this.stopped && this.subscription !== undefined;
  }

  /**
   * Work for the embedded store's append transactions ({@link SqliteEventStore.runInAppendTransactions}):
   * each runner caught up to just before the appended events applies them in that transaction, in a
   * savepoint of its own, in the order of their names; once it commits, they have applied them, and
   * one fsync stored the events and their rows. A runner that is behind, or whose batch fails, gets
   * the events from its subscription as before (its failure is met there, by its own transaction).
   */
  static inAppendTransactions(runners: readonly ProjectionRunner[], db: SqliteReadModelDatabase): InlineWork {
    const ordered = [...runners].sort(byName);
    let taken: readonly TakenBatch[] = [];
    return {
      async apply(events, after) {
        taken = ordered.filter((runner) => runner.followsFrom(after)).map((runner) => ({ runner, batch: events }));
        if (taken.length === 0) return () => undefined;
        const outcomes = await db.inOpenTransaction((trx) => ProjectionRunner.applyEach(trx, taken, true));
        const applied = taken;
        return () => void ProjectionRunner.settle(db, applied, outcomes, (runner, error) => runner.logger.warn(`not applied in the append's transaction, applying from the log: ${messageOf(error)}`));
      },
      rolledBack(error) {
        // What the projections keep in memory of the batch describes rows that are gone.
        for (const { runner } of taken) runner.projection.rolledBack?.();
        if (taken.length > 0) taken[0].runner.logger.warn(`the append's transaction was rolled back with the projections' rows; its appends were written again without them: ${messageOf(error)}`);
      },
    };
  }

  /** The batch's rows and checkpoint, in `trx`; the latest transaction time it applied. */
  private async apply(trx: ReadModelTransaction, batch: readonly StoredEvent[]): Promise<number> {
    const last = batch[batch.length - 1];
    // Lock this projection's checkpoint row: another instance on the same database waits here,
    // then skips what this one applied (idempotent by position).
    const generation = randomUUID();
    const [checkpoint] = await compiledRows(
      trx,
      'checkpoint lock',
      () =>
        trx
          .insertInto('projection_checkpoints')
          .values({ projection: this.projection.name, position: '0', recorded_at: null, generation })
          .onConflict((conflict) => conflict.column('projection').doUpdateSet((eb) => ({ position: eb.ref('projection_checkpoints.position') })))
          .returning(['position', 'recorded_at', 'generation']),
      [this.projection.name, '0', null, generation],
    );
    const applied = BigInt(checkpoint.position);
    const unapplied = batch.filter((event) => event.position > applied);
    if (unapplied.length > 0) {
      const events = this.projection.takes === 'stored' ? unapplied : unapplied.map((event) => upcast(event));
      await this.projection.apply(trx, events, { position: applied, generation: checkpoint.generation });
    }
    // The latest transaction time applied, not the last event's: a store whose clock may step
    // back (KurrentDB) can record an event before the one it follows.
    const latestMs = unapplied.reduce((latest, event) => Math.max(latest, Date.parse(event.recordedAt)), checkpoint.recorded_at ? Date.parse(checkpoint.recorded_at) : 0);
    if (last.position > applied) {
      const parameters = [last.position.toString(), new Date(latestMs).toISOString(), this.projection.name];
      await runCompiled(
        trx,
        'checkpoint update',
        () =>
          trx
            .updateTable('projection_checkpoints')
            .set({ position: parameters[0], recorded_at: parameters[1] })
            .where('projection', '=', parameters[2]),
        parameters,
      );
    }
    return latestMs;
  }

  /** After the batch committed: the position reached, its waiters answered; whether the planner's statistics are due. */
  private applied(batch: readonly StoredEvent[], latestMs: number): boolean {
    this.position = batch[batch.length - 1].position;
    this.lastRecordedAtMs = Math.max(this.lastRecordedAtMs, latestMs);
    if (this.failure) this.logger.log(`recovered: applied up to position ${this.position}`);
    this.failure = undefined;
    this.retryDelayMs = 0;
    this.releaseWaiters();
    this.appliedSinceStatistics += batch.length;
    // Doubling measured in positions (a KurrentDB position is a byte offset: it grows with the log all
    // the same), the bound in events.
    const since = this.statisticsAt;
    if (since !== undefined && this.position < 2n * since && this.appliedSinceStatistics < STATISTICS_EVERY) return false;
    this.statisticsAt = this.position;
    this.appliedSinceStatistics = 0;
    return true;
  }

  /** Drops the subscription and what it buffered, and follows the log again after a pause. */
  private fail(error: unknown): void {
    // Once per failure: the subscription and a scheduled flush may both report it.
    if (this.stopped || this.retryTimer || !this.subscription) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.retryDelayMs = Math.min(RETRY_MAX_MS, this.retryDelayMs * 2 || RETRY_FIRST_MS);
    this.logger.error(`stopped at position ${this.position}, retrying in ${this.retryDelayMs} ms: ${this.failure.message}`, this.failure.stack);
    this.subscription.close();
    this.subscription = undefined;
    this.buffer = [];
    this.resolveWaiters(false);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.follow();
    }, this.retryDelayMs);
  }

  private resolveWaiters(reached: boolean): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(reached);
    }
  }

  private releaseWaiters(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (waiter.position > this.position) return true;
      clearTimeout(waiter.timer);
      waiter.resolve(true);
      return false;
    });
  }

  /** Resolves true once `position` is applied; false after `timeoutMs`, or at once while the projection is retrying after a failure. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (position <= this.position) return Promise.resolve(true);
    if (this.failure) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.subscription?.close();
    await this.flushLock.run(() => undefined);
    this.resolveWaiters(false);
  }
}

/**
 * A runner per projection on the store, each started (following the log from its checkpoint); their
 * batches share transactions. `inAppendTransactions`: on the embedded store, they also apply what is
 * appended in the append's own transaction when they are caught up (the server's runners).
 */
export async function startProjections(
  store: EventStore,
  db: ReadModelDatabase,
  projections: readonly Projection[],
  { inAppendTransactions = false }: { inAppendTransactions?: boolean } = {},
): Promise<ProjectionRunner[]> {
  const turns = new FlushTurns();
  const runners = projections.map((projection) => new ProjectionRunner(store, db, projection, turns));
  await Promise.all(runners.map((runner) => runner.start()));
  // Only where the appends and the rows share one file and its writer connection.
  if (inAppendTransactions && store instanceof SqliteEventStore && db instanceof SqliteReadModelDatabase && store.sqlite === db.sqlite) {
    store.runInAppendTransactions(ProjectionRunner.inAppendTransactions(runners, db));
  }
  return runners;
}
