/** Addresses remembered at most; past it the oldest window is forgotten, so a spray of addresses cannot grow memory. */
const MAX_ADDRESSES = 10_000;
const WINDOW_MS = 60_000;

/**
 * Failed authentications per client address in a fixed one-minute window. Past the limit an address
 * is refused before its key is even checked, so guessing keys costs a minute per `limit` tries.
 */
export class FailedAuthentications {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(private readonly limitPerMinute: number) {}

  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string, now: number): number {
    const window = this.windows.get(address);
    if (!window || window.endsAt <= now) return 0;
    return window.failures >= this.limitPerMinute ? Math.ceil((window.endsAt - now) / 1000) : 0;
  }

  record(address: string, now: number): void {
    if (this.limitPerMinute === 0) return;
    const window = this.windows.get(address);
    if (window && window.endsAt > now) {
      window.failures++;
      return;
    }
    this.windows.delete(address);
    if (this.windows.size >= MAX_ADDRESSES) this.forgetExpired(now);
    if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(address, { failures: 1, endsAt: now + WINDOW_MS });
  }

  private forgetExpired(now: number): void {
    for (const [address, window] of this.windows) if (window.endsAt <= now) this.windows.delete(address);
  }
}
