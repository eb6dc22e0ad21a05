import { KnowledgeCursor } from '../../projections/knowledge/knowledge.queries';

/** A page of `/v1/knowledge` with its items already JSON (UTF-8 bytes, written to a socket with no copy or encoding). */
export type KnowledgePageText = Readonly<{ items: Buffer; next?: KnowledgeCursor }>;

type Entry = Readonly<{ page: KnowledgePageText; bytes: number }>;

/** Bytes an entry holds: its items, and its key (V8 keeps a string in one or two bytes a character: count two). */
const entryBytes = (key: string, page: KnowledgePageText): number => page.items.length + 2 * key.length + 64;

/**
 * Pages of `/v1/knowledge` as JSON, each kept for the read-model position it was computed at.
 *
 * A page is a function of the read model and the request; the read model changes only by applying
 * events, and every apply moves the position. So a page is served from here only while the position
 * is the one it was computed at: the first lookup at another position empties the cache. A page is
 * kept only if the position was the same before and after computing it (no apply ran between).
 * Least recently used pages go first once `maxBytes` is reached; 0 keeps nothing.
 */
export class KnowledgePageCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private position: bigint | undefined;

  constructor(readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, position: bigint): KnowledgePageText | undefined {
    this.at(position);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.page;
  }

  set(key: string, position: bigint, page: KnowledgePageText): void {
    this.at(position);
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
  private at(position: bigint): void {
    if (this.position === position) return;
    this.position = position;
    this.entries.clear();
    this.bytes = 0;
  }
}
