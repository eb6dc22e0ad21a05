import { Prng } from '../prng';

/** The six systems compared, each in a worker thread of its own. */
export const SYSTEMS = ['timeline-sqlite', 'emmett-sqlite', 'raw-sqlite', 'timeline-postgres', 'emmett-postgres', 'raw-postgres'] as const;
export type SystemName = (typeof SYSTEMS)[number];

export const backendOf = (system: SystemName): 'sqlite' | 'postgres' => (system.endsWith('-sqlite') ? 'sqlite' : 'postgres');

/** One event as every system is given it: the same ids, type, data and metadata. */
export type PeerEvent = Readonly<{
  eventId: string;
  type: string;
  data: Readonly<Record<string, unknown>>;
  metadata: Readonly<{ schemaVersion: number; correlationId: string; causationId: string; actor: string }>;
}>;

export const EVENT_TYPE = 'ClaimReported';
/** Events per stream: a writer starts a new stream after this many appends, and the seeded log has streams of this length. */
export const STREAM_LENGTH = 50;
/** Events per page of a log read, and per transaction of a rebuild, in every system. */
export const PAGE_SIZE = 1000;

/** The read-model table every rebuild fills: events counted per stream. */
export const COUNTS_TABLE = 'peer_counts';

/** `count` events of about 300 bytes of JSON (data and metadata), drawn from `prng`. */
export function peerEvents(prng: Prng, count: number): PeerEvent[] {
  const events: PeerEvent[] = [];
  for (let i = 0; i < count; i++) {
    const id = prng.uuid();
    events.push({
      eventId: prng.uuid(),
      type: EVENT_TYPE,
      data: {
        developmentId: `development-${prng.int(0, 9999)}`,
        claimId: prng.uuid(),
        sourceId: `source-${prng.int(0, 39)}`,
        stance: prng.pick(['asserts', 'denies', 'confirms']),
        quantity: { value: prng.int(1, 20) * 500, unit: 'troops' },
        quote: `A quote of moderate length, number ${i}.`,
      },
      metadata: { schemaVersion: 1, correlationId: id, causationId: id, actor: 'bench' },
    });
  }
  return events;
}

/** Mean bytes of data + metadata JSON per event. */
export function meanEventBytes(events: readonly PeerEvent[]): number {
  let bytes = 0;
  for (const event of events) bytes += Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata));
  return bytes / Math.max(1, events.length);
}

/** A log to append to. */
export interface PeerStore {
  /**
   * Appends `events` to `streamId` in one call, expecting the stream to hold exactly `eventsInStream`
   * events (0: no stream yet); each system turns that into its own expected-version check.
   */
  append(streamId: string, events: readonly PeerEvent[], eventsInStream: number): Promise<void>;
}

/** What a rebuild left in {@link COUNTS_TABLE}. */
export type RebuildCounts = Readonly<{
  streams: number;
  events: number;
  streamsNotAtLength: number;
  /** Emmett PostgreSQL: messages of the log whose global position is below one its reads return before them. */
  behindEarlier?: number;
}>;

/**
 * One system, open on two logs: `log`, seeded once and read by the read and rebuild workloads, and
 * `appends`, which only the append workloads write to (so every round reads the same data).
 */
export interface PeerSystem {
  readonly log: PeerStore;
  readonly appends: PeerStore;
  /** Reads the whole seeded log from the start in pages of {@link PAGE_SIZE}; the events read. */
  readLog(): Promise<number>;
  /** Reads one stream of the seeded log; the events read. */
  readStream(streamId: string): Promise<number>;
  /** Empties {@link COUNTS_TABLE} (not timed). */
  resetCounts(): Promise<void>;
  /** Rebuilds the count-per-stream projection from position 0 of the seeded log under the name `name`, until it reaches the head. */
  rebuild(name: string): Promise<void>;
  counts(): Promise<RebuildCounts>;
  /**
   * PostgreSQL: the transactions that wrote the appends log's events of streams starting with
   * `streamPrefix` (distinct `xmin` of their rows: exact, and counted at once, where
   * `pg_stat_database` reports a backend's commits up to 10 s late).
   */
  appendTransactions?(streamPrefix: string): Promise<number>;
  /** Durability settings as a connection of this system sees them at run time. */
  facts(): Promise<string[]>;
  /** Files (SQLite) whose fsyncs count as this system's. */
  readonly files: readonly string[];
  close(): Promise<void>;
}

export type SystemOptions = Readonly<{
  /** SQLite: a fresh directory of its own. */
  dir: string;
  /** PostgreSQL: fresh databases of its own, one per log. */
  logUrl: string;
  appendsUrl: string;
}>;

/** The stream a writer appends its `appendIndex`-th event to (a new stream each {@link STREAM_LENGTH} appends). */
export const writerStream = (prefix: string, writer: number, appendIndex: number): string =>
  `${prefix}-w${writer}s${Math.floor(appendIndex / STREAM_LENGTH)}`;

/** The name every seeded stream has, `peerlog-<n>`. */
export const seededStream = (n: number): string => `peerlog-${n}`;
