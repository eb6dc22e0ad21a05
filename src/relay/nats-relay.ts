import { Logger } from '@nestjs/common';
import { JetStreamClient, JetStreamManager, NatsConnection, PubAck, headers as natsHeaders } from 'nats';
import { ReadModelDatabase } from '../database/read-model-database';
import { EventStore, EventSubscription, StoredEvent } from '../event-store/event-store.port';
import { storedEventJson } from '../event-store/stored-event-json';
import { AsyncMutex } from '../platform/async-mutex';
import { Clock, systemClock } from '../platform/clock';
import { LogConsumer } from '../projections/log-consumers';
import { RelayCheckpoints } from './relay-checkpoints';
import { RelayLease, relayLease } from './relay-lease';
import { POSITION_HEADER, RelayStreamConfig, STREAM_ID_HEADER, StreamTail, ensureRelayStream, streamTail, subjectFor } from './relay-stream';

export type NatsRelayOptions = RelayStreamConfig &
  Readonly<{
    /** The checkpoint is saved after this many acknowledged events... */
    checkpointEveryEvents?: number;
    /** ...or this long after an acknowledgement, whichever comes first. */
    checkpointEveryMs?: number;
    /** Publishes awaiting their acknowledgement at once. */
    maxInFlight?: number;
    publishTimeoutMs?: number;
    /** First pause after a failure; doubled on each failure in a row, up to `retryMaxMs`. */
    retryInitialMs?: number;
    retryMaxMs?: number;
    /** How often an instance without the lease tries to take it over. */
    leaseRetryMs?: number;
    /** How often the lease holder checks it still holds it. */
    leaseCheckMs?: number;
  }>;

const DEFAULTS = {
  checkpointEveryEvents: 1000,
  checkpointEveryMs: 1000,
  maxInFlight: 256,
  publishTimeoutMs: 5000,
  retryInitialMs: 250,
  retryMaxMs: 15_000,
  leaseRetryMs: 5000,
  leaseCheckMs: 5000,
};

export type RelayState = 'idle' | 'publishing' | 'standby' | 'retrying' | 'stopped';

/** What `GET /v1/projections` (or `/health`) can list next to the projections. */
export type RelayStatus = Readonly<{
  name: string;
  /** The position of the last event JetStream acknowledged (saved to the database within a second). */
  checkpoint: bigint;
  state: RelayState;
}>;

const encoder = new TextEncoder();

/**
 * Publishes the log to a JetStream stream, in position order: `<prefix>.<type>`, body
 * {@link storedEventJson}, `Nats-Msg-Id` = `eventId`, and the position in a header.
 *
 * Nothing is lost: the checkpoint (in the read-model database) only moves past events JetStream
 * acknowledged, and a restart resumes after the later of that checkpoint and the position of the
 * stream's last message, so even a crash before the checkpoint was saved republishes nothing.
 * Each publish expects the stream's last sequence to be the previous one's, so the stream never
 * holds an event out of order or twice, even with a stale relay still running somewhere; what
 * fails that check (or times out) is retried from the stream's tail. `Nats-Msg-Id` also makes a
 * retried publish idempotent within the stream's duplicate window.
 *
 * WARNING: the relay must be the only publisher on `<prefix>.>`. A foreign message fails the next
 * publish's expectation, and with one at the stream's tail the relay can only resume from its saved
 * checkpoint: what it published after that (under a second's worth) is stored again if the
 * duplicate window has passed.
 */
export class NatsRelay implements LogConsumer {
  private readonly logger: Logger;
  private readonly settings: typeof DEFAULTS;
  private readonly js: JetStreamClient;
  private jsm?: JetStreamManager;
  private readonly checkpoints: RelayCheckpoints;
  private readonly lease: RelayLease;
  private readonly saveLock = new AsyncMutex();
  private position = 0n;
  private savedPosition = 0n;
  private unsaved = 0;
  private currentState: RelayState = 'idle';
  private stopping = false;
  private running?: Promise<void>;
  private subscription?: EventSubscription;
  private wake?: () => void;

  constructor(
    private readonly store: EventStore,
    db: ReadModelDatabase,
    private readonly nats: NatsConnection,
    private readonly options: NatsRelayOptions,
    private readonly clock: Clock = systemClock,
  ) {
    this.settings = { ...DEFAULTS, ...definedOnly(options) };
    this.logger = new Logger(`NatsRelay:${options.stream}`);
    this.js = nats.jetstream();
    this.checkpoints = new RelayCheckpoints(db, this.name);
    this.lease = relayLease(db, this.name);
  }

  /** The checkpoint's key: one per stream, so a new stream gets the whole log. */
  get name(): string {
    return `nats:${this.options.stream}`;
  }

  get checkpoint(): bigint {
    return this.position;
  }

  get state(): RelayState {
    return this.currentState;
  }

  get status(): RelayStatus {
    return { name: this.name, checkpoint: this.position, state: this.currentState };
  }

  /**
   * Checks JetStream answers and creates or updates the stream (throwing the server's error), then
   * publishes in the background until {@link stop}.
   */
  async start(): Promise<void> {
    if (this.running) throw new Error('the relay is already started');
    this.jsm = await this.nats.jetstreamManager();
    await ensureRelayStream(this.jsm, this.options);
    await this.checkWithinLog(await streamTail(this.jsm, this.options.stream));
    this.position = await this.checkpoints.load();
    this.running = this.run(this.jsm);
  }

  /** Lets acknowledgements in flight arrive, saves the checkpoint, gives up the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.subscription?.close();
    this.wake?.();
    await this.running;
    this.currentState = 'stopped';
  }

  private async run(jsm: JetStreamManager): Promise<void> {
    let retryMs = this.settings.retryInitialMs;
    let failing = false;
    while (!this.stopping) {
      let leading = false;
      try {
        leading = await this.lease.tryAcquire();
        if (!leading) {
          // Another instance publishes: show its progress, and take over when it goes.
          this.currentState = 'standby';
          this.position = await this.checkpoints.load();
          await this.pause(this.settings.leaseRetryMs);
          continue;
        }
        this.currentState = 'publishing';
        await this.publishSession(jsm, () => {
          if (failing) this.logger.log(`publishing again (position ${this.position})`);
          failing = false;
          retryMs = this.settings.retryInitialMs;
        });
      } catch (error) {
        if (this.stopping) break;
        this.currentState = 'retrying';
        if (!failing) this.logger.warn(`stopped publishing after position ${this.position}: ${describe(error)}; retrying with backoff`);
        failing = true;
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, this.settings.retryMaxMs);
      } finally {
        if (leading) await this.lease.release().catch(() => undefined);
      }
    }
  }

  /** One stretch of publishing, from the stream's tail, until a failure or {@link stop}. */
  private async publishSession(jsm: JetStreamManager, onProgress: () => void): Promise<void> {
    // The stream may have been deleted, or have run ahead of the checkpoint before a crash.
    await ensureRelayStream(jsm, this.options);
    const tail = await streamTail(jsm, this.options.stream);
    await this.checkWithinLog(tail);
    this.savedPosition = await this.checkpoints.load();
    this.position = tail.position !== undefined && tail.position > this.savedPosition ? tail.position : this.savedPosition;
    await this.saveCheckpoint();
    if (this.stopping) return;

    let lastSequence = tail.lastSequence;
    let inFlight = 0;
    let acknowledged: Promise<void> = Promise.resolve();
    let failure: unknown;
    const subscription = this.store.subscribe({ after: this.position });
    this.subscription = subscription;
    const fail = (error: unknown) => {
      failure ??= error;
      subscription.close();
    };
    const leaseCheck = setInterval(() => this.lease.confirm().catch(fail), this.settings.leaseCheckMs);
    const checkpointTimer = setInterval(() => this.saveCheckpoint().catch(fail), this.settings.checkpointEveryMs);
    try {
      for await (const event of subscription) {
        const ack = this.publish(event, lastSequence);
        ack.catch(() => undefined); // observed in order below
        lastSequence += 1;
        inFlight += 1;
        // Acknowledgements are taken in position order, so the checkpoint never passes a gap.
        acknowledged = acknowledged.then(async () => {
          await ack;
          inFlight -= 1;
          this.position = event.position;
          this.unsaved += 1;
          onProgress();
          if (this.unsaved >= this.settings.checkpointEveryEvents) await this.saveCheckpoint();
        });
        acknowledged.catch(fail);
        if (inFlight >= this.settings.maxInFlight) await acknowledged;
      }
      await acknowledged;
      if (failure !== undefined) throw failure;
    } finally {
      clearInterval(leaseCheck);
      clearInterval(checkpointTimer);
      subscription.close();
      this.subscription = undefined;
      await acknowledged.catch(() => undefined);
      await this.saveCheckpoint().catch((error: unknown) => this.logger.warn(`could not save the checkpoint: ${describe(error)}`));
    }
  }

  /** A stream ahead of the log was filled from another database: resuming after it would skip events. */
  private async checkWithinLog(tail: StreamTail): Promise<void> {
    if (tail.position === undefined) return;
    const head = await this.store.headPosition();
    if (tail.position > head) {
      throw new Error(`stream '${this.options.stream}' ends at position ${tail.position}, past the log's last (${head}): it holds another database's log`);
    }
  }

  private publish(event: StoredEvent, lastSequence: number): Promise<PubAck> {
    const headers = natsHeaders();
    headers.set(POSITION_HEADER, event.position.toString());
    headers.set(STREAM_ID_HEADER, event.streamId);
    return this.js.publish(subjectFor(this.options.subjectPrefix, event.type), encoder.encode(JSON.stringify(storedEventJson(event))), {
      msgID: event.eventId,
      headers,
      expect: { streamName: this.options.stream, lastSequence },
      timeout: this.settings.publishTimeoutMs,
    });
  }

  private saveCheckpoint(): Promise<void> {
    return this.saveLock.run(async () => {
      const position = this.position;
      if (position <= this.savedPosition) return;
      const unsaved = this.unsaved;
      await this.checkpoints.save(position, this.clock.now());
      this.savedPosition = position;
      this.unsaved -= unsaved;
    });
  }

  /** Waits, or less if {@link stop} is called. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
