import { HttpException, HttpStatus, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EVENT_STORE, EventStore, SubscribeOptions } from '../../event-store/event-store.port';
import { APP_CONFIG, AppConfig } from '../../platform/app-config';
import { TimelineRequest } from '../request-context';
import { LiveEventStream, LiveStreamSettings } from './live-event-stream';
import { LiveStreamLimits } from './live-stream-limits';
import { messageOf } from '../../platform/error-message';

/**
 * A catch-up page ends before this much event text, so what a client that stopped reading holds
 * (the rest of its page) is small whatever the events' size.
 */
const PAGE_BYTES = 32 * 1024;
/** Bytes a client may leave unread before no more events are pulled for it. */
const HIGH_WATER_BYTES = 64 * 1024;
/** The reconnection delay suggested to clients. */
const RETRY_MS = 2000;
/** How long shutdown waits for the streams' subscriptions to wind down. */
const SHUTDOWN_WAIT_MS = 2000;

/**
 * Every open `/v1/events/live` connection. Ends them all before the HTTP server closes, so a
 * shutdown never waits on a client, and counts them, so no subscription outlives its connection
 * and no client (nor all of them) holds more than the configured number.
 */
@Injectable()
export class LiveEventStreams implements OnModuleDestroy {
  private readonly logger = new Logger('LiveEvents');
  private readonly streams = new Map<LiveEventStream, Promise<unknown>>();
  private readonly settings: LiveStreamSettings;
  private readonly limits: LiveStreamLimits;
  private readonly keyed: boolean;
  private stalled = 0;
  private stopping = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.settings = {
      heartbeatMs: config.sseHeartbeatMs,
      highWaterBytes: HIGH_WATER_BYTES,
      // A client that cannot take its backlog within two heartbeats is as good as gone.
      stallMs: 2 * config.sseHeartbeatMs,
      retryMs: RETRY_MS,
    };
    this.limits = new LiveStreamLimits({
      total: config.sseMaxStreams,
      perClient: config.sseMaxStreamsPerClient,
      // By then every stalled stream has been dropped and its slot is free.
      retryAfterSeconds: Math.ceil(this.settings.stallMs / 1000),
    });
    this.keyed = config.apiKeys.size > 0;
  }

  /** Connections open now. */
  get open(): number {
    return this.streams.size;
  }

  /** Bytes written to open connections that their sockets have not taken yet. */
  get buffered(): number {
    let bytes = 0;
    for (const stream of this.streams.keys()) bytes += stream.buffered;
    return bytes;
  }

  /** Connections dropped since start because their client stopped reading. */
  get dropped(): number {
    return this.stalled;
  }

  /**
   * Takes the reply over from fastify and streams the log into it, catch-up then live. Past a cap
   * it throws {@link LiveStreamLimitError} before taking the reply, so the problem is still sent.
   */
  serve(request: TimelineRequest, reply: FastifyReply, options: SubscribeOptions): void {
    if (this.stopping) throw new HttpException('the server is shutting down', HttpStatus.SERVICE_UNAVAILABLE);
    // Without keys every loopback client is 'local': the address tells them apart.
    const owner = this.keyed ? `key ${request.actor}` : `address ${request.ip}`;
    this.limits.acquire(owner);
    reply.hijack();
    const stream = new LiveEventStream(reply.raw, this.store.subscribeText({ ...options, pageBytes: PAGE_BYTES }), this.settings);
    const done = stream.run().then((end) => {
      this.streams.delete(stream);
      this.limits.release(owner);
      if (end === 'stalled') {
        this.stalled++;
        this.logger.warn(`dropped a client that stopped reading, after position ${stream.lastPosition ?? options.after ?? 0n}`);
      } else if (end === 'failed') {
        const { failure } = stream.outcome;
        this.logger.error(`a live stream's subscription failed: ${messageOf(failure)}`);
      }
    });
    this.streams.set(stream, done);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const stream of this.streams.keys()) stream.stop('shutdown');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.streams.values()), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
