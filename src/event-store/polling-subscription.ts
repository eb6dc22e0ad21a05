import { EventEmitter } from 'node:events';
import { EventStore, EventSubscription, ReadAllOptions, StoredEvent, SubscribeOptions } from './event-store.port';

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
export class SharedReads {
  private readonly reads = new Map<string, { at: number; events: Promise<StoredEvent[]> }>();

  constructor(
    private readonly store: Pick<EventStore, 'readAll'>,
    signals: EventEmitter,
  ) {
    signals.on('appended', () => this.reads.clear());
  }

  readAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const key = JSON.stringify([String(options.after ?? 0n), options.limit, options.types, options.streamPrefix]);
    const now = performance.now();
    const seen = this.reads.get(key);
    if (seen && now - seen.at <= SHARED_READ_MS) return seen.events;
    if (this.reads.size > 1000) this.reads.clear();
    const events = this.store.readAll(options);
    this.reads.set(key, { at: now, events });
    events.catch(() => this.reads.delete(key));
    return events;
  }
}

/**
 * Catch-up, then live, for stores whose positions are committed in order: read in batches after
 * the last position seen; when caught up, wait for an `appended` signal or the poll interval.
 * Never a gap (positions are gap-free in commit order) and never a duplicate (always `> last`).
 */
export function pollingSubscription(
  store: Pick<EventStore, 'readAll'>,
  signals: EventEmitter,
  options: SubscribeOptions,
  pollMs: number,
): EventSubscription {
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

  async function* events(): AsyncGenerator<StoredEvent> {
    let after = options.after ?? 0n;
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
        const batch = await store.readAll({ ...options, after, limit: BATCH });
        for (const event of batch) {
          if (closed) return;
          after = event.position;
          yield event;
        }
        // Let timers and I/O run between batches: a long catch-up must not starve the process.
        await new Promise((resolve) => setImmediate(resolve));
        if (batch.length === BATCH || signalled) continue;
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
