/**
 * A new `/v1/events/live` stream would go past a cap: the client's own (429) or the server's (503).
 * Refused before the stream starts, so it is an ordinary problem response.
 */
export class LiveStreamLimitError extends Error {
  readonly code: 'LIVE_STREAMS_PER_CLIENT' | 'LIVE_STREAMS_TOTAL';
  constructor(
    scope: 'client' | 'server',
    limit: number,
    /** When a slot may be free again: a stalled stream is dropped by then. */
    readonly retryAfterSeconds: number,
  ) {
    super(
      scope === 'client'
        ? `this client already has ${limit} live streams open, the most allowed; close one first`
        : `the server already serves ${limit} live streams, the most allowed; try again later`,
    );
    this.name = 'LiveStreamLimitError';
    this.code = scope === 'client' ? 'LIVE_STREAMS_PER_CLIENT' : 'LIVE_STREAMS_TOTAL';
  }
}

/** Counts open streams per owner (an API key, or a client address without keys) and refuses one past either cap. */
export class LiveStreamLimits {
  private readonly byOwner = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly caps: Readonly<{ total: number; perClient: number; retryAfterSeconds: number }>,
  ) {}

  /** Takes a slot for `owner`, or throws {@link LiveStreamLimitError}; give it back with {@link release}. */
  acquire(owner: string): void {
    const open = this.byOwner.get(owner) ?? 0;
    if (open >= this.caps.perClient) throw new LiveStreamLimitError('client', this.caps.perClient, this.caps.retryAfterSeconds);
    if (this.total >= this.caps.total) throw new LiveStreamLimitError('server', this.caps.total, this.caps.retryAfterSeconds);
    this.byOwner.set(owner, open + 1);
    this.total++;
  }

  release(owner: string): void {
    const open = (this.byOwner.get(owner) ?? 1) - 1;
    if (open > 0) this.byOwner.set(owner, open);
    else this.byOwner.delete(owner);
    this.total--;
  }
}
