import { createHash, randomUUID } from 'node:crypto';

/**
 * The one id generator. With a seed (an idempotency key) ids are derived from it, so a retried
 * request yields the same ids and the event store's idempotency by event id applies.
 */
export class IdGenerator {
  private counter = 0;

  constructor(private readonly seed?: string) {}

  /** A UUID: random, or the next one derived from the seed. */
  uuid(): string {
    if (this.seed === undefined) return randomUUID();
    return this.derive(this.counter++);
  }

  /** The UUID the next `uuid()` call will return, when ids are derived; never advances. */
  peek(): string | undefined {
    return this.seed === undefined ? undefined : this.derive(this.counter);
  }

  private derive(counter: number): string {
    const hash = createHash('sha256').update(`${this.seed}\u0000${counter}`).digest();
    hash[6] = (hash[6] & 0x0f) | 0x50; // version 5 layout: name-based
    hash[8] = (hash[8] & 0x3f) | 0x80;
    const hex = hash.subarray(0, 16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** A short suffix to make a slug unique. */
  suffix(): string {
    return this.uuid().slice(0, 8);
  }
}
