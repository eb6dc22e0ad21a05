import type { ServerResponse } from 'node:http';
import { EventSubscription, StoredEventText } from '../../event-store/event-store.port';
import { KEEP_ALIVE, SSE_HEADERS, eventMessage, retryMessage } from './sse-messages';

export type LiveStreamSettings = Readonly<{
  /** A comment is sent when nothing else was for this long. */
  heartbeatMs: number;
  /** Nothing more is pulled from the log while more than this many bytes wait for the client. */
  highWaterBytes: number;
  /** A connection whose waiting bytes do not drain within this long is dropped. */
  stallMs: number;
  /** The reconnection delay suggested to clients (`retry:`). */
  retryMs: number;
}>;

/** Gathered messages go to the response in chunks of about this many characters, or at the next turn of the loop. */
const FLUSH_CHARS = 16 * 1024;

/** Why a stream ended: the client left, it stalled and was dropped, the server stopped, the log ended or failed. */
export type LiveStreamEnd = 'client-closed' | 'stalled' | 'shutdown' | 'log-closed' | 'failed';

/**
 * One SSE connection fed by one subscription, pulled one event at a time. While the client has
 * not taken `highWaterBytes`, nothing more is pulled, so a slow client holds at most that, one
 * event and the rest of the subscription's page (bounded in bytes by the store) in memory, and
 * never holds up writers or other clients; one that takes nothing for `stallMs` is dropped and
 * resumes from its last id when it reconnects.
 */
export class LiveEventStream {
  private end?: LiveStreamEnd;
  private failure?: unknown;
  private quiet = true;
  private heartbeat?: NodeJS.Timeout;
  private interruptWait?: () => void;
  private lastSent?: bigint;
  /** Messages gathered in this turn of the event loop, not yet handed to the response. */
  private pending = '';
  private gathering = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly subscription: EventSubscription<StoredEventText>,
    private readonly settings: LiveStreamSettings,
  ) {}

  /** The position of the last event written to the connection (not necessarily received). */
  get lastPosition(): bigint | undefined {
    return this.lastSent;
  }

  /** Bytes written and not yet taken by the socket. */
  get buffered(): number {
    return this.response.writableLength + this.pending.length;
  }

  /** Why the stream ended, and the error when it failed. */
  get outcome(): { end?: LiveStreamEnd; failure?: unknown } {
    return { end: this.end, failure: this.failure };
  }

  /** Streams until the client leaves, stalls, the log ends or {@link stop} is called. Never rejects. */
  async run(): Promise<LiveStreamEnd> {
    const { response } = this;
    // 'close' comes when the client goes away (or the response ended); an error is followed by it.
    response.on('close', () => this.stop('client-closed'));
    response.on('error', () => this.stop('client-closed'));
    // The client may have gone before the stream began; then no 'close' is left to come.
    if (this.clientGone()) this.stop('client-closed');
    if (this.end) return this.end;
    response.writeHead(200, SSE_HEADERS);
    this.send(retryMessage(this.settings.retryMs));
    this.heartbeat = setInterval(() => this.beat(), this.settings.heartbeatMs);
    try {
      for await (const event of this.subscription) {
        if (this.end) break;
        this.send(eventMessage(event));
        this.lastSent = event.position;
        if (response.writableLength > this.settings.highWaterBytes && !(await this.drained())) this.stop('stalled');
        if (this.end) break;
      }
      this.stop('log-closed');
    } catch (error) {
      this.failure = error;
      this.stop('failed');
    }
    return this.end ?? 'log-closed';
  }

  /** Ends the stream now: closes the subscription, clears the heartbeat and ends or drops the connection. */
  stop(reason: LiveStreamEnd): void {
    if (this.end) return;
    this.end = reason;
    clearInterval(this.heartbeat);
    this.subscription.close();
    this.interruptWait?.();
    const { response } = this;
    if (response.destroyed || response.writableEnded) return;
    // Bytes still waiting mean the client is not reading: ending would wait for it, so drop.
    if (reason === 'stalled' || response.writableLength > 0) response.destroy();
    // Else end the body cleanly, then the connection too: a shutdown must not wait for keep-alive.
    else response.end(() => response.destroy());
  }

  /**
   * The first message of a turn of the event loop is written at once (a live event goes out with
   * no delay); the rest of that turn's messages (a catch-up batch) are gathered into few writes.
   */
  private send(message: string): void {
    this.quiet = false;
    if (!this.gathering) {
      this.gathering = true;
      setImmediate(() => {
        this.gathering = false;
        this.flush();
      });
      this.write(message);
      return;
    }
    this.pending += message;
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    // Once stopped, what was not handed over is dropped like bytes the client did not take.
    if (this.end === undefined) this.write(chunk);
  }

  /**
   * As bytes: a string that waits on a full socket is held as a copy sized for its worst-case
   * encoding (three bytes a character), so a stalled client would pin three times what it is sent.
   */
  private write(text: string): void {
    this.response.write(Buffer.from(text));
  }

  private beat(): void {
    if (this.clientGone()) return this.stop('client-closed');
    // Only into an empty buffer: a client that is not reading gets no heartbeats piling up.
    if (this.quiet && this.response.writableLength === 0) this.response.write(KEEP_ALIVE);
    this.quiet = true;
  }

  private clientGone(): boolean {
    const { response } = this;
    return response.destroyed || response.socket?.destroyed === true;
  }

  /** True once the waiting bytes went to the socket, false if that took longer than `stallMs`. */
  private drained(): Promise<boolean> {
    if (!this.response.writableNeedDrain) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (drained: boolean) => {
        clearTimeout(timer);
        this.response.off('drain', onDrain);
        this.interruptWait = undefined;
        resolve(drained);
      };
      const onDrain = () => finish(true);
      const timer = setTimeout(() => finish(false), this.settings.stallMs);
      this.response.on('drain', onDrain);
      this.interruptWait = () => finish(true);
    });
  }
}
