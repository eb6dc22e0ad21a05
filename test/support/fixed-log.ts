import { EventStore, EventSubscription, StoredEvent } from '../../src/event-store/event-store.port';

/** A stored event of stream `s` at `position` (its version too), of no interest but its place and time. */
export const aLoggedEvent = (position: number, recordedAt: string): StoredEvent =>
  ({ position: BigInt(position), streamId: 's', streamVersion: BigInt(position), eventId: `e${position}`, type: 'Noted', data: {}, metadata: {}, recordedAt }) as unknown as StoredEvent;

/** A store that only subscribes: every subscription yields `events` after its start at once, then waits forever. */
export function aStoreOfLog(events: readonly StoredEvent[]): EventStore {
  return {
    subscribe: ({ after = 0n } = {}): EventSubscription => {
      const pending = events.filter((e) => e.position > after);
      return {
        close: () => undefined,
        async *[Symbol.asyncIterator]() {
          yield* pending;
          await new Promise(() => undefined);
        },
      };
    },
  } as unknown as EventStore;
}
