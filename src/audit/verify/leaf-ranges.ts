import type { Pool } from 'pg';
import { StoredEventText } from '../../event-store/event-store.port';
import { leafHashOf } from '../audit-leaf';
import { toHex } from '../merkle/merkle-hash';
import { RangeHashing, rangeHashing } from './range-hashing';

/**
 * Where verify's range checks read the log and the tree themselves. The embedded store's file,
 * which worker threads each open on a connection of their own (so it is a description a worker can
 * be sent); PostgreSQL's pool, where the server puts each range's leaves together and this thread
 * hashes them. KurrentDB has none: it is verified on one thread.
 */
export type LeafRangeSource = SqliteLeafRangeSource | Readonly<{ kind: 'postgres'; pool: Pool }>;
export type SqliteLeafRangeSource = Readonly<{ kind: 'sqlite'; file: string }>;

/** Checks ranges of leaves for verify (see {@link checkLeafRange}), several at a time. */
export interface LeafRangeChecker {
  /** Ranges checked at a time. */
  readonly threads: number;
  /**
   * Checks `ranges` and hands each result to `onResult` in range order, as soon as it and those
   * before it are in. `onResult` returning false stops the check: ranges not yet begun are not.
   */
  check(ranges: readonly LeafRange[], onResult: (result: LeafRangeResult) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Leaves `fromIndex` to `fromIndex + count - 1` of the stored tree. */
export type LeafRange = Readonly<{ fromIndex: number; count: number }>;

/** What the stored tree holds for a range of leaves, each list joined into one string. */
export type StoredLeafRange = Readonly<{
  count: number;
  lastIndex: number | null;
  /** Positions, comma-separated, in leaf order. */
  positions: string;
  /** Leaf hashes in lowercase hex, back to back, in leaf order. */
  hashes: string;
  /**
   * Stored hashes that are not text of 64 characters. Joined, they could still give the right
   * string (characters moved from one leaf's hash to the next): a range holding one never matches.
   */
  oddHashes: number;
}>;

/** The log's events after a position, as a range check reads them. */
export type EventLeafRange = Readonly<{
  count: number;
  /**
   * The events' leaves back to back, in position order: each `LEAF_START`, which the range
   * check makes the leaf's 0x00 byte, then the event's JSON text as `/v1/events` serves it.
   */
  bytes: Buffer;
  /** Their positions, comma-separated. */
  positions: string;
}>;

/** A range check's reads: a few statements, each over the range in one go. */
export interface LeafRangeReader {
  /** The position of stored leaf `index`, as text; undefined when the tree has no such leaf. */
  leafPosition(index: number): Promise<string | undefined>;
  storedLeaves(range: LeafRange): Promise<StoredLeafRange>;
  /** Undefined when the range is too big to read in one piece (events of over ~100 KiB each). */
  eventLeaves(afterPosition: string, limit: number): Promise<EventLeafRange | undefined>;
  /** The events after a position as stored, up to `limit`, for checking one by one. */
  eventTexts(afterPosition: bigint, limit: number): Promise<StoredEventText[]>;
}

export type LeafRangeResult = Readonly<{
  fromIndex: number;
  count: number;
  /** Every leaf of the range recomputed from the log equals the stored leaf, position and hash, as the one-thread pass decides. */
  matches: boolean;
  /** The hashes of the range's `decomposition(count)` (hex), when it matches. */
  edge: string[];
  /** The position of the range's last leaf, when it matches. */
  lastPosition: string;
}>;

/** Rows read at a time when a range is checked one by one: bounded, since events may be large. */
const ONE_BY_ONE_BATCH = 256;

/**
 * Checks one range of leaves against the log: the stored leaves are all there, stand at the
 * positions the log's events have, and each event's leaf hashes to the stored hash. First all
 * together, each check one comparison over the whole range; when the hashes differ there (text
 * that is not canonical, a string that needs escaping, a range too big to read in one piece),
 * leaf by leaf with the one-thread pass's own rule, {@link leafHashOf}. A range that does not
 * match says nothing more: the one-thread pass goes over it and names what differs.
 */
export async function checkLeafRange(reader: LeafRangeReader, range: LeafRange, hashing: RangeHashing = rangeHashing): Promise<LeafRangeResult> {
  const { fromIndex, count } = range;
  const differs: LeafRangeResult = { fromIndex, count, matches: false, edge: [], lastPosition: '' };
  const after = fromIndex === 0 ? '0' : await reader.leafPosition(fromIndex - 1);
  if (after === undefined) return differs;
  const [stored, events] = await Promise.all([reader.storedLeaves(range), reader.eventLeaves(after, count)]);
  if (stored.count !== count || stored.lastIndex !== fromIndex + count - 1 || stored.oddHashes > 0) return differs;
  if (events && (events.count !== count || events.positions !== stored.positions)) return differs;
  const hashes = (events && hashedInPlace(hashing, events, stored)) ?? (await hashedOneByOne(reader, BigInt(after), stored));
  if (!hashes) return differs;
  const edge = hashing.edge(hashes).map(toHex);
  return { fromIndex, count, matches: true, edge, lastPosition: stored.positions.slice(stored.positions.lastIndexOf(',') + 1) };
}

/** The range's leaf hashes, each hashed where it lies, when they are all the stored ones. */
function hashedInPlace(hashing: RangeHashing, { bytes, count }: EventLeafRange, stored: StoredLeafRange): Buffer | undefined {
  const hashes = hashing.leafHashes(bytes, count);
  // Compared as the text stored, as the one-thread pass does: hex in capitals is not the stored hash.
  return hashes?.toString('hex') === stored.hashes ? hashes : undefined;
}

/** The range's leaf hashes from the events read one by one, when each is at the stored position and hashes to the stored hash. */
async function hashedOneByOne(reader: LeafRangeReader, after: bigint, stored: StoredLeafRange): Promise<Buffer | undefined> {
  const positions = stored.positions.split(',');
  const hashes = Buffer.allocUnsafe(32 * stored.count);
  for (let i = 0; i < stored.count; ) {
    const events = await reader.eventTexts(after, Math.min(ONE_BY_ONE_BATCH, stored.count - i));
    if (events.length === 0) return undefined;
    for (const event of events) {
      const expected = stored.hashes.slice(64 * i, 64 * i + 64);
      const leaf = leafHashOf(event, expected);
      if (event.position.toString() !== positions[i] || toHex(leaf) !== expected) return undefined;
      leaf.copy(hashes, 32 * i++);
      after = event.position;
    }
  }
  return hashes;
}
