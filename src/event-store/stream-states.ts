/** A stream's state as folded up to `version`, by `decider` (a stream is always folded by the same one). */
export type FoldedStream = Readonly<{ decider: object; version: bigint; state: unknown }>;

/**
 * The states of recently written streams, folded, so a command reads only the events appended
 * since (by anyone: the store stays the truth) instead of the whole stream, and folds only those.
 * Bounded by the events the kept states were folded from (least recently used first out): a
 * state's size grows with its stream. Streams only grow, so a kept state is never ahead of its
 * stream; were a store replaced by an older copy under a running server, the append's version
 * check refuses what was decided on it, and {@link handleCommand} reads the stream whole again.
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
