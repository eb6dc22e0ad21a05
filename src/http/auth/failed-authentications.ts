/** Addresses remembered at most; past it the oldest window is forgotten, so a spray of addresses cannot grow memory. */
const MAX_ADDRESSES = 10_000;
const WINDOW_MS = 60_000;

/**
 * The unit one client holds: an IPv4 address, or an IPv6 address's /64 (one host is routinely given
 * a whole /64, so counting its addresses one by one would give it 2^64 budgets).
 */
export function addressGroupOf(address: string): string {
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  const [head, tail = ''] = address.split('::');
  const groups = head ? head.split(':') : [];
  if (address.includes('::')) {
    const rest = tail ? tail.split(':') : [];
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill('0'), ...rest);
  }
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Failed authentications per client address in a fixed one-minute window. Past the limit an address
 * is refused before its key is even checked, so guessing keys costs a minute per `limit` tries.
 */
export class FailedAuthentications {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(private readonly limitPerMinute: number) {}

  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string, now: number): number {
    const window = this.windows.get(addressGroupOf(address));
    if (!window || window.endsAt <= now) return 0;
    return window.failures >= this.limitPerMinute ? Math.ceil((window.endsAt - now) / 1000) : 0;
  }

  record(client: string, now: number): void {
    if (this.limitPerMinute === 0) return;
    const address = addressGroupOf(client);
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
