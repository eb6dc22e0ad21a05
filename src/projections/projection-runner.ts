import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ReadModelDatabase } from '../database/read-model-database';
import { EventStore, EventSubscription, StoredEvent } from '../event-store/event-store.port';
import { upcast } from '../event-store/upcasters';
import { AsyncMutex } from '../platform/async-mutex';
import { LogConsumer } from './log-consumers';
import { Projection } from './projection';

const MAX_BATCH = 1000;
/** After a failure the runner follows the log again after this pause, doubled each time up to the max. */
export const RETRY_FIRST_MS = 100;
export const RETRY_MAX_MS = 5000;
/** Refresh the planner's statistics after this many events applied (and after the first batch). */
const STATISTICS_EVERY = 20_000;

/** The runners of every projection in the server, started: {@link ProjectionsModule} provides them. */
export const PROJECTION_RUNNERS = Symbol('ProjectionRunners');

type Waiter = { position: bigint; resolve: (reached: boolean) => void; timer: NodeJS.Timeout };

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
  private appliedSinceStatistics: number | undefined;
  private subscription?: EventSubscription;
  private buffer: StoredEvent[] = [];
  private flushScheduled = false;
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
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush().catch((error) => this.fail(error));
    });
  }

  private flush(): Promise<void> {
    return this.flushLock.run(async () => {
      const batch = this.buffer;
      if (batch.length === 0) return;
      this.buffer = [];
      const last = batch[batch.length - 1];
      let latestMs = 0;
      await this.db.write(async (trx) => {
        // Lock this projection's checkpoint row: another instance on the same database waits here,
        // then skips what this one applied (idempotent by position).
        const checkpoint = await trx
          .insertInto('projection_checkpoints')
          .values({ projection: this.projection.name, position: '0', recorded_at: null, generation: randomUUID() })
          .onConflict((conflict) => conflict.column('projection').doUpdateSet((eb) => ({ position: eb.ref('projection_checkpoints.position') })))
          .returning(['position', 'recorded_at'])
          .executeTakeFirstOrThrow();
        const applied = BigInt(checkpoint.position);
        const unapplied = batch.filter((event) => event.position > applied);
        if (unapplied.length > 0) await this.projection.apply(trx, this.projection.takes === 'stored' ? unapplied : unapplied.map((event) => upcast(event)));
        // The latest transaction time applied, not the last event's: a store whose clock may step
        // back (KurrentDB) can record an event before the one it follows.
        latestMs = unapplied.reduce((latest, event) => Math.max(latest, Date.parse(event.recordedAt)), checkpoint.recorded_at ? Date.parse(checkpoint.recorded_at) : 0);
        if (last.position > applied) {
          await trx
            .updateTable('projection_checkpoints')
            .set({ position: last.position.toString(), recorded_at: new Date(latestMs).toISOString() })
            .where('projection', '=', this.projection.name)
            .execute();
        }
      });
      this.position = last.position;
      this.lastRecordedAtMs = Math.max(this.lastRecordedAtMs, latestMs);
      if (this.failure) this.logger.log(`recovered: applied up to position ${this.position}`);
      this.failure = undefined;
      this.retryDelayMs = 0;
      this.releaseWaiters();
      this.appliedSinceStatistics = (this.appliedSinceStatistics ?? STATISTICS_EVERY) + batch.length;
      if (this.appliedSinceStatistics >= STATISTICS_EVERY) {
        this.appliedSinceStatistics = 0;
        await this.db.refreshStatistics();
      }
    });
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

/** A runner per projection on the store, each started (following the log from its checkpoint). */
export async function startProjections(store: EventStore, db: ReadModelDatabase, projections: readonly Projection[]): Promise<ProjectionRunner[]> {
  const runners = projections.map((projection) => new ProjectionRunner(store, db, projection));
  await Promise.all(runners.map((runner) => runner.start()));
  return runners;
}
