import { EventEmitter } from 'node:events';
import { EventSubscription, ReadAllOptions, SubscribeOptions } from './event-store.port';

/** A page of the log; `more` when it ended at its limit or byte budget, so more may follow at once. */
export type LogPage<E> = Readonly<{ events: E[]; more: boolean }>;

/** What a subscription reads: a page of events with positions, after a position, in position order. */
export type LogRead<E extends { position: bigint }> = (options: ReadAllOptions) => Promise<LogPage<E>>;

const BATCH = 500;
/** How long a shared read may be served again: short, so polling (without a signal) stays live. */
const SHARED_READ_MS = 20;

/**
 * Reads shared by the subscriptions of one store: caught-up subscribers with the same filters all
 * ask for "after the last event" when an append is signalled, and one query answers them all.
 * Every signal (append or notification) forgets what was read, and nothing is kept longer than
 * {@link SHARED_READ_MS}, so a shared answer is never staler than a read of one's own would be.
 * The events are shared: consumers must not mutate them (they are readonly by type).
 */
export class SharedReads<E extends { position: bigint }> {
  /** In the order they were read, so the expired ones are at the front. */
  private readonly reads = new Map<string, { at: number; page: Promise<LogPage<E>> }>();
  private sweep?: NodeJS.Timeout;

  constructor(
    private readonly read: LogRead<E>,
    signals: EventEmitter,
  ) {
    signals.on('appended', () => this.reads.clear());
  }

  readonly readAll: LogRead<E> = (options) => {
    const key = JSON.stringify([String(options.after ?? 0n), options.limit, options.maxBytes, options.types, options.streamPrefix]);
    const now = performance.now();
    this.forgetBefore(now - SHARED_READ_MS);
    const seen = this.reads.get(key);
    if (seen) return seen.page;
    const page = this.read(options);
    this.reads.set(key, { at: now, page });
    page.catch(() => this.reads.delete(key));
    this.sweepLater();
    return page;
  };

  /** Expired pages are let go even when no read follows: consumers that stopped must not pin them here. */
  private sweepLater(): void {
    this.sweep ??= setTimeout(() => {
      this.sweep = undefined;
      this.forgetBefore(performance.now() - SHARED_READ_MS);
      if (this.reads.size > 0) this.sweepLater();
    }, SHARED_READ_MS + 1).unref();
  }

  private forgetBefore(time: number): void {
    for (const [key, read] of this.reads) {
      if (read.at >= time) return;
      this.reads.delete(key);
    }
  }
}

/**
 * Catch-up, then live, for stores whose positions are committed in order: read in batches after
 * the last position seen; when caught up, wait for an `appended` signal or the poll interval.
 * Never a gap (positions are gap-free in commit order) and never a duplicate (always `> last`).
 */
export function pollingSubscription<E extends { position: bigint }>(
  read: LogRead<E>,
  signals: EventEmitter,
  options: SubscribeOptions,
  pollMs: number,
): EventSubscription<E> {
  const { pageBytes, ...filter } = options;
  let closed = false;
  let wake: (() => void) | undefined;
  const onSignal = () => wake?.();
  // The store closing ends every subscription quietly.
  const close = () => {
    closed = true;
    signals.off('appended', onSignal);
    signals.off('closed', close);
    wake?.();
  };
  signals.on('appended', onSignal);
  signals.on('closed', close);

  async function* events(): AsyncGenerator<E> {
    let after = filter.after ?? 0n;
    try {
      while (!closed) {
        // Arm the wake-up before reading, so an append during the read is not missed.
        let signalled = false;
        const waiting = new Promise<void>((resolve) => {
          wake = () => {
            signalled = true;
            resolve();
          };
        });
        const page = await read({ ...filter, after, limit: BATCH, maxBytes: pageBytes });
        for (const event of page.events) {
          if (closed) return;
          after = event.position;
          yield event;
        }
        // Let timers and I/O run between batches: a long catch-up must not starve the process.
        await new Promise((resolve) => setImmediate(resolve));
        if (page.more || signalled) continue;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([waiting, new Promise<void>((resolve) => (timer = setTimeout(resolve, pollMs)))]);
        clearTimeout(timer);
      }
    } finally {
      close();
    }
  }

  return Object.assign(events(), { close });
}
