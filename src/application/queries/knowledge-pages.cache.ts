import { KnowledgePageText } from '../../projections/knowledge/knowledge.queries';
import { CheckpointPoint, samePoint } from '../../projections/projection';

type Entry = Readonly<{ page: KnowledgePageText; bytes: number; asOfMs: number }>;

/**
 * The earliest knowledge time the events after `after` up to `upTo` can change a view of
 * (`knowledgeReachOf`); −∞ when that cannot be told.
 */
export type ReachOfEvents = (after: bigint, upTo: bigint) => Promise<number>;

/** Bytes an entry holds: its items, and its key (V8 keeps a string in one or two bytes a character: count two). */
const entryBytes = (key: string, page: KnowledgePageText): number => page.items.byteLength + 2 * key.length + 64;

/**
 * Pages of `/v1/knowledge` as JSON, each kept for the state of the read model (the
 * `CheckpointPoint` of its knowledge checkpoint) and the `asOf` it was computed at.
 *
 * A page is a function of the read model and the request. The read model changes by applying
 * events, which moves the position, or by being emptied and rebuilt, which gives its checkpoint a
 * new generation. When it has moved on by applying events, the cache follows it ({@link follow}):
 * the pages as of a time before the earliest knowledge time those events reach are the same at the
 * new position (nothing shows as of a time before it was reported), so they stay; the others go. A
 * new generation empties it. A page is served only at the position the cache is at, and a page
 * computed at a position the cache has left is dropped. Least recently used pages go first once
 * `maxBytes` is reached; 0 keeps nothing.
 *
 * WARNING: this holds while whatever changes the knowledge tables moves their checkpoint in the
 * same transaction: the projection runner, and migrations through `rebuildKnowledgeFromLog`.
 */
export class KnowledgePagesCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private point: CheckpointPoint | undefined;
  /** The move being read, shared by the requests that read the same new point meanwhile. */
  private moving: Readonly<{ from: CheckpointPoint; to: CheckpointPoint; reach: Promise<number> }> | undefined;

  constructor(readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Moves the cache to `to`, the read model's point a request read, keeping the pages the events
   * applied in between cannot have changed. False when the cache cannot serve a request at `to`: it
   * is at a later position (the request read the point before another request moved it on).
   */
  async follow(to: CheckpointPoint, reachOf: ReachOfEvents): Promise<boolean> {
    const from = this.point;
    if (from !== undefined && samePoint(from, to)) return true;
    if (from === undefined || from.generation !== to.generation) {
      this.moveTo(to, Number.NEGATIVE_INFINITY);
      return true;
    }
    if (to.position < from.position) return false;
    if (this.moving?.from !== from || !samePoint(this.moving.to, to)) {
      const reach = this.entries.size === 0 ? Promise.resolve(Number.NEGATIVE_INFINITY) : reachOf(from.position, to.position);
      this.moving = { from, to, reach };
    }
    const moving = this.moving;
    let reach: number;
    try {
      reach = await moving.reach;
    } finally {
      if (this.moving === moving) this.moving = undefined;
    }
    // Another request may have moved it meanwhile: only the move from where it was is known.
    if (this.point !== from) return this.point !== undefined && samePoint(this.point, to);
    this.moveTo(to, reach);
    return true;
  }

  get(key: string, at: CheckpointPoint): KnowledgePageText | undefined {
    if (this.point === undefined || !samePoint(this.point, at)) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.page;
  }

  /** Keeps `page`, as of `asOfMs`, if the cache is still at `at` (a request since may have moved it on). */
  set(key: string, at: CheckpointPoint, asOfMs: number, page: KnowledgePageText): void {
    if (this.point === undefined || !samePoint(this.point, at)) return;
    const bytes = entryBytes(key, page);
    if (bytes > this.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      this.bytes -= previous.bytes;
    }
    for (const [oldest, entry] of this.entries) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
    this.entries.set(key, { page, bytes, asOfMs });
    this.bytes += bytes;
  }

  /** At `to`, keeping the pages as of a time before `reachMs`. */
  private moveTo(to: CheckpointPoint, reachMs: number): void {
    this.point = to;
    for (const [key, entry] of this.entries) {
      if (entry.asOfMs < reachMs) continue;
      this.entries.delete(key);
      this.bytes -= entry.bytes;
    }
  }
}
