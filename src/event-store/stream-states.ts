/**
 * A stream's state as folded up to `version`, by `decider` (a stream is always folded by the same
 * one); `lastEventId`: the event at `version`, to tell that the stream still holds it.
 */
export type FoldedStream = Readonly<{ decider: object; version: bigint; lastEventId: string; state: unknown }>;

/**
 * The states of recently written streams, folded, so a command reads only the events appended
 * since (by anyone: the store stays the truth) instead of the whole stream, and folds only those.
 * Bounded by the events the kept states were folded from (least recently used first out): a
 * state's size grows with its stream. Streams only grow, but a store can be replaced under a
 * running server (an older copy, a PostgreSQL failover to a replica that missed the last commits,
 * after which another writer may store a different event at the same version): so the reader checks
 * that the stream still holds the state's last event, and reads it whole when it does not.
 */
export class StreamStates {
  /** In least-recently-used order: a hit is moved to the end. */
  private readonly streams = new Map<string, FoldedStream>();
  private heldEvents = 0;

  constructor(private readonly maxEvents: number) {}

  get(streamId: string, decider: object): FoldedStream | undefined {
    const folded = this.streams.get(streamId);
    if (!folded || folded.decider !== decider) return undefined;
    this.streams.delete(streamId);
    this.streams.set(streamId, folded);
    return folded;
  }

  /** `state` must not be changed afterwards: deciders' `evolve` returns new states. */
  set(streamId: string, folded: FoldedStream): void {
    this.forget(streamId);
    const events = Number(folded.version) + 1;
    if (events > this.maxEvents) return;
    this.streams.set(streamId, folded);
    this.heldEvents += events;
    for (const oldest of this.streams.keys()) {
      if (this.heldEvents <= this.maxEvents) break;
      this.forget(oldest);
    }
  }

  get size(): number {
    return this.streams.size;
  }

  /** Drops a stream's state: the next command reads its stream whole. */
  forget(streamId: string): void {
    const folded = this.streams.get(streamId);
    if (!folded) return;
    this.streams.delete(streamId);
    this.heldEvents -= Number(folded.version) + 1;
  }
}
