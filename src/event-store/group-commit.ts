/** What `send` answers for each request of a batch: its outcome, or the error it alone failed with. */
export type BatchOutcome<Outcome> = { ok: true; value: Outcome } | { ok: false; error: unknown };

export type GroupCommitLimits<Request> = Readonly<{
  /** Requests in one batch at most. */
  maxRequests: number;
  /** Items (e.g. events) in one batch at most; a request bigger than this goes alone. */
  maxItems: number;
  itemsOf(request: Request): number;
  /**
   * An idle group commit's first request waits one turn of the event loop (`setImmediate`), so
   * requests that arrive in the same turn share its batch. For a `send` that blocks the thread
   * (a synchronous driver): nothing could join its batch while it is in flight.
   */
  gatherFirst?: boolean;
}>;

type Waiting<Request, Outcome> = {
  request: Request;
  resolve(value: Outcome): void;
  reject(error: unknown): void;
};

/**
 * Group commit: the first request is sent at once; requests submitted while a batch is in flight
 * wait and are sent together as the next batch, in submission order, so concurrent callers share
 * one round trip and one commit instead of queueing for them one by one. One batch is in flight
 * at a time, bounded by {@link GroupCommitLimits}. A lone caller waits for nothing but its own batch
 * (and, with `gatherFirst`, one turn of the event loop).
 *
 * `send` answers one outcome per request, in order; when it throws, every request of that batch
 * fails with that error.
 */
export class GroupCommit<Request, Outcome> {
  private readonly waiting: Waiting<Request, Outcome>[] = [];
  private sending = false;
  private draining: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly send: (requests: readonly Request[]) => Promise<readonly BatchOutcome<Outcome>[]>,
    private readonly limits: GroupCommitLimits<Request>,
  ) {}

  submit(request: Request): Promise<Outcome> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    return new Promise<Outcome>((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      if (!this.sending) this.draining = this.drain();
    });
  }

  /**
   * Refuses new requests and resolves once every request submitted before has its outcome (before
   * the connection under it is closed). A caller that keeps submitting cannot hold it open.
   */
  close(): Promise<void> {
    this.closed = true;
    return this.draining;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      if (this.limits.gatherFirst) await new Promise((resolve) => setImmediate(resolve));
      while (this.waiting.length > 0) {
        const batch = this.nextBatch();
        let outcomes: readonly BatchOutcome<Outcome>[];
        try {
          outcomes = await this.send(batch.map((waiting) => waiting.request));
          if (outcomes.length !== batch.length) throw new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} requests`);
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        batch.forEach((waiting, i) => {
          const outcome = outcomes[i];
          if (outcome.ok) waiting.resolve(outcome.value);
          else waiting.reject(outcome.error);
        });
        // Callers woken by this batch may append again at once: let them join the next one. A lone
        // caller (a batch of one, nobody waiting) has no one to wait for: its next request starts
        // the next batch at once.
        if (batch.length > 1 || this.waiting.length > 0) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.sending = false;
    }
  }

  private nextBatch(): Waiting<Request, Outcome>[] {
    let items = this.limits.itemsOf(this.waiting[0].request);
    let count = 1;
    while (count < this.waiting.length && count < this.limits.maxRequests) {
      const more = this.limits.itemsOf(this.waiting[count].request);
      if (items + more > this.limits.maxItems) break;
      items += more;
      count += 1;
    }
    return this.waiting.splice(0, count);
  }
}
