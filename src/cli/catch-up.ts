import { Storage } from '../bootstrap/open-storage';
import { Projection } from '../projections/projection';
import { startProjections } from '../projections/projection-runner';

/** Long enough for a million events on a small machine; a stuck projection fails sooner (waitFor says false). */
const CATCH_UP_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/**
 * Runs projections in this process until they have applied the whole log as it is now, so a
 * command works on a tree and read model that cover the log even when no server keeps them.
 */
export async function catchUp(storage: Storage, projections: readonly Projection[]): Promise<{ stop(): Promise<void> }> {
  const runners = await startProjections(storage.eventStore, storage.readModel, projections);
  const stop = async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
  };
  const head = await storage.eventStore.headPosition();
  const reached = await Promise.all(runners.map((runner) => runner.waitFor(head, CATCH_UP_TIMEOUT_MS)));
  if (reached.includes(false)) {
    await stop();
    throw new Error(`projections ${runners.filter((_, i) => !reached[i]).map((runner) => runner.name).join(', ')} did not reach position ${head}`);
  }
  return { stop };
}
