import { EventEmitter } from 'node:events';
import { EventStore, EventSubscription, StoredEvent, SubscribeOptions } from './event-store.port';

const BATCH = 500;

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
