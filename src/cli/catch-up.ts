import { Storage } from '../bootstrap/open-storage';
import { Projection } from '../projections/projection';
import { ProjectionRunner, startProjections } from '../projections/projection-runner';

/** Long enough for a million events on a small machine; a stuck projection fails sooner (waitFor says false). */
const CATCH_UP_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/** How long a projection may keep retrying (a busy store beside a server, say) before the command gives up. */
const RETRYING_GIVE_UP_MS = 60_000;
const RETRY_POLL_MS = 250;

/** Whether `runner` applies `head`: a failed batch is retried, as the runner does, until it has failed for a minute. */
async function reach(runner: ProjectionRunner, head: bigint): Promise<boolean> {
  const deadline = performance.now() + CATCH_UP_TIMEOUT_MS;
  let retryingSince: number | undefined;
  while (performance.now() < deadline) {
    if (await runner.waitFor(head, deadline - performance.now())) return true;
    if (runner.state !== 'retrying') return false;
    retryingSince ??= performance.now();
    if (performance.now() - retryingSince > RETRYING_GIVE_UP_MS) return false;
    await new Promise((resolve) => setTimeout(resolve, RETRY_POLL_MS));
  }
  return false;
}

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
  const reached = await Promise.all(runners.map((runner) => reach(runner, head)));
  if (reached.includes(false)) {
    await stop();
    throw new Error(`projections ${runners.filter((_, i) => !reached[i]).map((runner) => runner.name).join(', ')} did not reach position ${head}`);
  }
  return { stop };
}
