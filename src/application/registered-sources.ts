import { sourceStreamId } from '../domain/source/source.events';
import { EventStore } from '../event-store/event-store.port';

/** Which of the named sources are registered, read from their streams (the decider reads no store). */
export async function registeredSources(store: EventStore, ids: readonly (string | undefined)[]): Promise<string[]> {
  const named = [...new Set(ids.filter((id): id is string => id !== undefined))];
  const found = await Promise.all(named.map(async (id) => ((await store.readStream(sourceStreamId(id))).length > 0 ? id : undefined)));
  return found.filter((id): id is string => id !== undefined);
}
