import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SQLITE_FILE, Storage, openStorage } from '../src/bootstrap/open-storage';
import type { NewEvent } from '../src/event-store/event-store.port';
import type { SqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { systemClock } from '../src/platform/clock';
import { Prng } from './prng';
import { median, yieldToEventLoop } from './stats';

export type AppendOptions = Readonly<{
  dir: string;
  /** Events per round for one-event-per-transaction appends. */
  singleEvents: number;
  /** Events per round for 100-event appends. */
  batchEvents: number;
  batchSize: number;
  /** Appends per turn when port and raw take turns, by mode. */
  chunkAppends: Readonly<{ single: number; batch: number }>;
  /** Measured rounds (one warm-up round more is run and discarded). */
  rounds: number;
  streams: number;
  /** Concurrent writers for the group-commit rows, each appending one event per call. */
  concurrentWriters: readonly number[];
  /** Events per round for those rows. */
  concurrentEvents: number;
  seed: number;
  log: (line: string) => void;
}>;

export type AppendFigures = Readonly<{
  /** single / batch: one writer, one or 100 events per call, against the raw loop at the same size; concurrent: `writers` loops of one-event calls against the raw loop at 100 events per transaction. */
  mode: 'single' | 'batch' | 'concurrent';
  writers: number;
  /** concurrent: transactions the port committed per append (1 without group commit). */
  transactionsPerAppend?: number;
  eventsPerAppend: number;
  eventsPerRound: number;
  rounds: number;
  portEventsPerSec: number;
  rawEventsPerSec: number;
  /** Median over rounds of port/raw measured back to back. */
  ratio: number;
  roundRatios: number[];
  /**
   * concurrent: the raw loop committing what group commit commits at best, `writers` events a
   * transaction, each to a stream of its own (as the writers append): what SQLite itself allows the
   * workload, whatever the port does. Its rate, and the median of the per-round port ÷ it.
   */
  sameTransactions?: Readonly<{ rawEventsPerSec: number; ratio: number; roundRatios: number[] }>;
}>;

type Target = {
  /** Appends `events` (already grouped into appends) and returns the elapsed ms. */
  run(groups: readonly (readonly NewEvent[])[], streams: readonly string[]): Promise<number>;
  close(): Promise<void>;
};

/** `count` single `ClaimReported` events (about 600 bytes of JSON each), drawn from `prng`. */
export function makeEvents(prng: Prng, count: number): NewEvent[] {
  const events: NewEvent[] = [];
  for (let i = 0; i < count; i++) {
    const id = prng.uuid();
    events.push({
      eventId: prng.uuid(),
      type: 'ClaimReported',
      data: {
        developmentId: `bench-${prng.int(0, 9999)}`,
        claimId: prng.uuid(),
        sourceId: `source-${prng.int(0, 39)}`,
        stance: prng.pick(['asserts', 'denies', 'confirms']),
        reportedAt: new Date(Date.UTC(2024, 0, 1) + prng.int(0, 365) * 86_400_000).toISOString().slice(0, 10),
        quantity: { value: prng.int(1, 20) * 500, unit: 'troops', qualifier: 'about' },
        quote: `A quote of moderate length, number ${i}, as the source gave it.`,
        publication: { title: `Report ${i}`, url: `https://example.org/report/${i}`, publishedAt: '2024-10-18' },
        credibility: prng.int(1, 6),
      },
      metadata: { schemaVersion: 1, correlationId: id, causationId: id, actor: 'bench' },
    });
  }
  return events;
}

export function groupsOf(events: readonly NewEvent[], size: number): NewEvent[][] {
  const groups: NewEvent[][] = [];
  for (let i = 0; i < events.length; i += size) groups.push(events.slice(i, i + size));
  return groups;
}

async function portTarget(dir: string): Promise<Target & { concurrent(events: readonly NewEvent[], writers: number): Promise<{ ms: number; transactions: number }> }> {
  const storage: Storage = await openStorage({ dataDir: dir, eventStore: 'sqlite' }, systemClock);
  const store = storage.eventStore as SqliteEventStore;
  let appends = 0;
  return {
    /** `writers` loops at once, each appending one event per call to a stream of its own, until `events` are all appended. */
    async concurrent(events, writers) {
      const before = store.commitStats.transactions;
      let next = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          while (next < events.length) await store.append(`writer-${writers}-${writer}`, [events[next++]], 'any');
        }),
      );
      return { ms: performance.now() - start, transactions: store.commitStats.transactions - before };
    },
    async run(groups, streams) {
      const start = performance.now();
      for (const group of groups) {
        await storage.eventStore.append(streams[appends % streams.length], group, 'any');
        appends += 1;
      }
      return performance.now() - start;
    },
    close: () => storage.close(),
  };
}

/**
 * The same table and indexes as the port's file (copied from its schema), written with plain
 * better-sqlite3. `spread`: `perTransaction` events a transaction, each to the next of `streams`
 * streams in turn (the shape of a group commit of one-event appends by `streams` writers).
 */
function rawTarget(dir: string, schemaFrom: string): Target & { spread(events: readonly NewEvent[], perTransaction: number, streams: number): number } {
  mkdirSync(dir, { recursive: true });
  const source = new Database(schemaFrom, { readonly: true, fileMustExist: true });
  const schema = source
    .prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type DESC, name")
    .all() as { sql: string }[];
  source.close();
  if (schema.length === 0) throw new Error('could not read the events table schema from the port file');
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  for (const { sql } of schema) db.exec(sql);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const versions = new Map<string, number>();
  /** One transaction: each event to the stream `streamOf` gives it, at that stream's next version. */
  const write = db.transaction((events: readonly NewEvent[], streamOf: (index: number) => string) => {
    const recordedAt = new Date().toISOString();
    events.forEach((event, i) => {
      const streamId = streamOf(i);
      const version = (versions.get(streamId) ?? -1) + 1;
      insert.run(streamId, version, event.eventId, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), recordedAt);
      versions.set(streamId, version);
    });
  });
  let appends = 0;
  return {
    async run(groups, streams) {
      const start = performance.now();
      for (const group of groups) {
        const streamId = streams[appends % streams.length];
        write(group, () => streamId);
        appends += 1;
      }
      return performance.now() - start;
    },
    spread(events, perTransaction, streams) {
      const start = performance.now();
      for (const group of groupsOf(events, perTransaction)) write(group, (i) => `spread-${streams}-${i % streams}`);
      return performance.now() - start;
    },
    async close() {
      db.close();
    },
  };
}

/**
 * Section 1: appends through the event store port against a plain better-sqlite3 insert loop at
 * the same durability (WAL, synchronous=FULL), same table, one transaction per append. Port and
 * raw take turns in small chunks within every round, each on its own file.
 */
export async function appendBenchmark(options: AppendOptions): Promise<AppendFigures[]> {
  const prng = new Prng(options.seed);
  const streams = Array.from({ length: options.streams }, (_, i) => `bench-${i}`);
  const figures: AppendFigures[] = [];
  for (const mode of ['single', 'batch'] as const) {
    const perAppend = mode === 'single' ? 1 : options.batchSize;
    const perRound = mode === 'single' ? options.singleEvents : options.batchEvents;
    const portDir = join(options.dir, `port-${mode}`);
    const port = await portTarget(portDir);
    const raw = rawTarget(join(options.dir, `raw-${mode}`), join(portDir, SQLITE_FILE));
    const portRates: number[] = [];
    const rawRates: number[] = [];
    const ratios: number[] = [];
    try {
      for (let round = 0; round <= options.rounds; round++) {
        const portGroups = groupsOf(makeEvents(prng, perRound), perAppend);
        const rawGroups = groupsOf(makeEvents(prng, perRound), perAppend);
        // Port and raw take turns in small chunks (alternating which goes first), so both see the
        // same disk: fsync latency on a shared machine drifts by several times within seconds.
        let portMs = 0;
        let rawMs = 0;
        const turn = options.chunkAppends[mode];
        for (let chunk = 0; chunk * turn < portGroups.length; chunk++) {
          const from = chunk * turn;
          const to = from + turn;
          // Let timers (the watchdog) run: the port's awaits alone never leave the microtask queue.
          await yieldToEventLoop();
          if (chunk % 2 === 0) {
            portMs += await port.run(portGroups.slice(from, to), streams);
            rawMs += await raw.run(rawGroups.slice(from, to), streams);
          } else {
            rawMs += await raw.run(rawGroups.slice(from, to), streams);
            portMs += await port.run(portGroups.slice(from, to), streams);
          }
        }
        const portRate = (perRound / portMs) * 1000;
        const rawRate = (perRound / rawMs) * 1000;
        options.log(
          `append ${mode} round ${round}${round === 0 ? ' (warm-up)' : ''}: port ${portRate.toFixed(0)} ev/s, raw ${rawRate.toFixed(0)} ev/s`,
        );
        if (round === 0) continue;
        portRates.push(portRate);
        rawRates.push(rawRate);
        ratios.push(portRate / rawRate);
      }
    } finally {
      await port.close();
      await raw.close();
    }
    figures.push({
      mode,
      writers: 1,
      eventsPerAppend: perAppend,
      eventsPerRound: perRound,
      rounds: options.rounds,
      portEventsPerSec: median(portRates),
      rawEventsPerSec: median(rawRates),
      ratio: median(ratios),
      roundRatios: ratios,
    });
  }
  for (const writers of options.concurrentWriters) figures.push(await concurrentBenchmark(options, prng, writers));
  return figures;
}

/**
 * Group commit: `writers` concurrent loops of one-event appends through the port, against the raw
 * loop inserting the same number of events 100 to a transaction (the rate one fsync per 100 events
 * allows) and against the raw loop committing them as group commit does at best (`writers` events a
 * transaction, one to each writer's stream). The three take turns by round, the first rotating.
 */
async function concurrentBenchmark(options: AppendOptions, prng: Prng, writers: number): Promise<AppendFigures> {
  const streams = Array.from({ length: options.streams }, (_, i) => `bench-${i}`);
  const portDir = join(options.dir, `port-concurrent-${writers}`);
  const port = await portTarget(portDir);
  const raw = rawTarget(join(options.dir, `raw-concurrent-${writers}`), join(portDir, SQLITE_FILE));
  const same = rawTarget(join(options.dir, `raw-same-transactions-${writers}`), join(portDir, SQLITE_FILE));
  const portRates: number[] = [];
  const rawRates: number[] = [];
  const sameRates: number[] = [];
  const ratios: number[] = [];
  const sameRatios: number[] = [];
  let transactions = 0;
  let appends = 0;
  try {
    for (let round = 0; round <= options.rounds; round++) {
      const portEvents = makeEvents(prng, options.concurrentEvents);
      const rawGroups = groupsOf(makeEvents(prng, options.concurrentEvents), 100);
      const sameEvents = makeEvents(prng, options.concurrentEvents);
      await yieldToEventLoop();
      let portRun = { ms: 0, transactions: 0 };
      let rawMs = 0;
      let sameMs = 0;
      const turns = [
        async () => {
          portRun = await port.concurrent(portEvents, writers);
        },
        async () => {
          rawMs = await raw.run(rawGroups, streams);
        },
        async () => {
          sameMs = same.spread(sameEvents, writers, writers);
        },
      ];
      for (let turn = 0; turn < turns.length; turn++) await turns[(round + turn) % turns.length]();
      const rate = (ms: number) => (options.concurrentEvents / ms) * 1000;
      const [portRate, rawRate, sameRate] = [rate(portRun.ms), rate(rawMs), rate(sameMs)];
      options.log(
        `append ${writers} writers round ${round}${round === 0 ? ' (warm-up)' : ''}: port ${portRate.toFixed(0)} ev/s (${(portRun.transactions / options.concurrentEvents).toFixed(3)} transactions per append), raw batched ${rawRate.toFixed(0)} ev/s, raw at ${writers} a transaction over ${writers} streams ${sameRate.toFixed(0)} ev/s`,
      );
      if (round === 0) continue;
      portRates.push(portRate);
      rawRates.push(rawRate);
      sameRates.push(sameRate);
      ratios.push(portRate / rawRate);
      sameRatios.push(portRate / sameRate);
      transactions += portRun.transactions;
      appends += options.concurrentEvents;
    }
  } finally {
    await port.close();
    await raw.close();
    await same.close();
  }
  return {
    mode: 'concurrent',
    writers,
    transactionsPerAppend: transactions / appends,
    eventsPerAppend: 1,
    eventsPerRound: options.concurrentEvents,
    rounds: options.rounds,
    portEventsPerSec: median(portRates),
    rawEventsPerSec: median(rawRates),
    ratio: median(ratios),
    roundRatios: ratios,
    sameTransactions: { rawEventsPerSec: median(sameRates), ratio: median(sameRatios), roundRatios: sameRatios },
  };
}
