import { KnowledgeCursor } from '../../projections/knowledge/knowledge.queries';

/** A page of `/v1/knowledge` with its items already JSON (UTF-8 bytes, written to a socket with no copy or encoding). */
export type KnowledgePageText = Readonly<{ items: Buffer; next?: KnowledgeCursor }>;

type Entry = Readonly<{ page: KnowledgePageText; bytes: number }>;

/** Bytes an entry holds: its items, and its key (V8 keeps a string in one or two bytes a character: count two). */
const entryBytes = (key: string, page: KnowledgePageText): number => page.items.byteLength + 2 * key.length + 64;

/**
 * Pages of `/v1/knowledge` as JSON, each kept for the state of the read model it was computed at
 * (`state`: the knowledge checkpoint's generation and position, see `ReadModelPoint`).
 *
 * A page is a function of the read model and the request. The read model changes by applying
 * events, which moves the position, or by being emptied and rebuilt, which gives its checkpoint a
 * new generation. So a page is served only at the state it was computed at: the first lookup at
 * another state empties the cache, and a page computed at a state the cache has left is dropped.
 * Least recently used pages go first once `maxBytes` is reached; 0 keeps nothing.
 *
 * WARNING: this holds while whatever changes the knowledge tables moves their checkpoint in the
 * same transaction: the projection runner, and migrations through `rebuildKnowledgeFromLog`.
 */
export class KnowledgePagesCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private state: string | undefined;

  constructor(readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, state: string): KnowledgePageText | undefined {
    this.at(state);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.page;
  }

  /** Keeps `page` if the cache is still at `state` (a lookup since may have moved it on). */
  set(key: string, state: string, page: KnowledgePageText): void {
    if (state !== this.state) return;
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
    this.entries.set(key, { page, bytes });
    this.bytes += bytes;
  }

  /** Empties the cache when the read model is no longer where its pages were computed. */
  private at(state: string): void {
    if (this.state === state) return;
    this.state = state;
    this.entries.clear();
    this.bytes = 0;
  }
}

/**
 * `text` as bytes of their own. `Buffer.from` puts small values in slices of a shared 8 KiB pool,
 * and a kept slice would keep its whole block alive: 40 times what the cache counts for a tiny page.
 */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}
