import { Logger } from '@nestjs/common';
import { ReadModelDatabase } from '../database/read-model-database';
import { EventStore, EventSubscription, StoredEvent } from '../event-store/event-store.port';
import { upcast } from '../event-store/upcasters';
import { AsyncMutex } from '../platform/async-mutex';
import { Projection } from './projection';

const MAX_BATCH = 1000;
/** Refresh the planner's statistics after this many events applied (and after the first batch). */
const STATISTICS_EVERY = 20_000;

type Waiter = { position: bigint; resolve: (reached: boolean) => void; timer: NodeJS.Timeout };

/**
 * Keeps one projection up to date from the log: subscribes after its checkpoint, applies events in
 * batches, and stores the checkpoint in the same transaction as the rows, so a restart neither
 * skips nor repeats an event.
 */
export class ProjectionRunner {
  private readonly logger: Logger;
  private position = 0n;
  private lastRecordedAtMs = 0;
  private appliedSinceStatistics: number | undefined;
  private subscription?: EventSubscription;
  private buffer: StoredEvent[] = [];
  private flushScheduled = false;
  private readonly flushLock = new AsyncMutex();
  private waiters: Waiter[] = [];
  private failure?: Error;

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

  /** The position of the last event applied. */
  /** 'failed' once an event could not be applied: it stays stopped there (and its lag grows). */
  get state(): 'running' | 'failed' {
    return this.failure ? 'failed' : 'running';
  }

  get checkpoint(): bigint {
    return this.position;
  }

  /** The transaction time of the last event applied (0 before any). */
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
    this.subscription = this.store.subscribe({ after: this.position });
    void this.consume(this.subscription);
  }

  private async consume(subscription: EventSubscription): Promise<void> {
    try {
      for await (const event of subscription) {
        this.buffer.push(event);
        if (this.buffer.length >= MAX_BATCH) await this.flush();
        else this.scheduleFlush();
      }
      await this.flush();
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
      if (batch.length === 0 || this.failure) return;
      this.buffer = [];
      const last = batch[batch.length - 1];
      await this.db.write(async (trx) => {
        // Lock this projection's checkpoint row: another instance on the same database waits here,
        // then skips what this one applied (idempotent by position).
        const { position: applied } = await trx
          .insertInto('projection_checkpoints')
          .values({ projection: this.projection.name, position: '0', recorded_at: null })
          .onConflict((conflict) => conflict.column('projection').doUpdateSet((eb) => ({ position: eb.ref('projection_checkpoints.position') })))
          .returning('position')
          .executeTakeFirstOrThrow();
        const unapplied = batch.filter((event) => event.position > BigInt(applied));
        if (unapplied.length > 0) await this.projection.apply(trx, unapplied.map((event) => upcast(event)));
        if (last.position > BigInt(applied)) {
          await trx
            .updateTable('projection_checkpoints')
            .set({ position: last.position.toString(), recorded_at: last.recordedAt })
            .where('projection', '=', this.projection.name)
            .execute();
        }
      });
      this.position = last.position;
      this.lastRecordedAtMs = Math.max(this.lastRecordedAtMs, Date.parse(last.recordedAt));
      this.releaseWaiters();
      this.appliedSinceStatistics = (this.appliedSinceStatistics ?? STATISTICS_EVERY) + batch.length;
      if (this.appliedSinceStatistics >= STATISTICS_EVERY) {
        this.appliedSinceStatistics = 0;
        await this.db.refreshStatistics();
      }
    });
  }

  private fail(error: unknown): void {
    this.failure = error instanceof Error ? error : new Error(String(error));
    this.logger.error(`stopped at position ${this.position}: ${this.failure.message}`, this.failure.stack);
    this.subscription?.close();
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
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

  /** Resolves true once `position` is applied, false after `timeoutMs` (or if the projection failed). */
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
    this.subscription?.close();
    await this.flushLock.run(() => undefined);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
  }
}
