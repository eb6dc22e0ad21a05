import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Storage, openStorage } from '../src/bootstrap/open-storage';
import type { NewEvent } from '../src/event-store/event-store.port';
import { systemClock } from '../src/platform/clock';
import { makeEvents } from './append-bench';
import type { Tracker } from './knowledge-bench';
import { RunResources, numberEnv } from './harness';
import { BENCH_DATABASE_URL, createBenchSchema, redactUrl } from './postgres';
import { Prng } from './prng';
import { fmtInt, fmtNum, median, once, table, verdict, yieldToEventLoop } from './stats';

export type PgAppendMode = Readonly<{
  /** Concurrent writers: callers of `append` for the port, connections for the raw loop. */
  writers: number;
  eventsPerRound: number;
  /** Appends per turn (all writers together) when port and raw take turns. */
  chunkAppends: number;
}>;

/** The modes `npm run bench` measures: 1 writer and 8 concurrent writers, one event per append. */
export const PG_APPEND_MODES: readonly PgAppendMode[] = [
  { writers: 1, eventsPerRound: 2000, chunkAppends: 50 },
  { writers: 8, eventsPerRound: 4000, chunkAppends: 400 },
];

export type PgAppendOptions = Readonly<{
  /** A fresh schema's URL (search_path set): the port migrates it, the raw table is made beside `events`. */
  databaseUrl: string;
  dir: string;
  modes: readonly PgAppendMode[];
  /** Measured rounds per mode (one warm-up round more is run and discarded). */
  rounds: number;
  streams: number;
  seed: number;
  log: (line: string) => void;
  track: Tracker;
}>;

export type PgAppendFigures = Readonly<{
  writers: number;
  eventsPerRound: number;
  rounds: number;
  portEventsPerSec: number;
  rawEventsPerSec: number;
  /** Median over rounds of port/raw measured back to back. */
  ratio: number;
  roundRatios: number[];
}>;

export type PgAppendResult = Readonly<{
  figures: PgAppendFigures[];
  /** After the runs: the port's positions are 1..n, no gap, and every raw row is there. */
  portEvents: number;
  portPositionsGapFree: boolean;
  rawEvents: number;
  rawRowsComplete: boolean;
}>;

type Target = {
  /** Appends `events` one per transaction with `writers` concurrent writers; returns the elapsed ms. */
  run(events: readonly NewEvent[], writers: number): Promise<number>;
};

/** Runs `one(i, writer)` for i in [0, count) on `writers` concurrent loops; the elapsed ms. */
async function concurrently(count: number, writers: number, one: (index: number, writer: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (;;) {
        const index = next++;
        if (index >= count) return;
        await one(index, writer);
      }
    }),
  );
  return performance.now() - start;
}

function portTarget(storage: Storage, streams: readonly string[]): Target {
  let appends = 0;
  return {
    run: (events, writers) =>
      concurrently(events.length, writers, (index) => storage.eventStore.append(streams[appends++ % streams.length], [events[index]], 'any')),
  };
}

/**
 * A plain `pg` loop on a table made `LIKE events INCLUDING ALL` (same columns, primary key, unique
 * constraints and indexes): one autocommit INSERT per event, the position and stream version
 * counted in this process, one dedicated connection per writer.
 */
function rawTarget(clients: readonly Client[], streams: readonly string[]): Target {
  let position = 0;
  let appends = 0;
  const versions = new Map<string, number>();
  return {
    run(events, writers) {
      return concurrently(events.length, writers, (index, writer) => {
        const event = events[index];
        const streamId = streams[appends++ % streams.length];
        const version = (versions.get(streamId) ?? -1) + 1;
        versions.set(streamId, version);
        position += 1;
        return clients[writer].query(
          'INSERT INTO raw_events (position, stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            position,
            streamId,
            version,
            event.eventId,
            event.type,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata),
            new Date().toISOString(),
          ],
        );
      });
    },
  };
}

/**
 * Section 1b: `PostgresEventStore.append` (one event per call, each its own transaction, default
 * durability) against a raw INSERT loop on the same server and table shape, with 1 and with N
 * concurrent writers. Port and raw take turns in small chunks within every round.
 */
export async function postgresAppendBenchmark(options: PgAppendOptions): Promise<PgAppendResult> {
  const prng = new Prng(options.seed ^ 0x9a9e);
  const streams = Array.from({ length: options.streams }, (_, i) => `bench-${i}`);
  const storage = await openStorage({ dataDir: options.dir, eventStore: 'postgres', databaseUrl: options.databaseUrl }, systemClock);
  const closeStorage = once(() => storage.close());
  const untrackStorage = options.track('postgres append storage', closeStorage);
  const clients: Client[] = [];
  const closeClients = async () => {
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
  };
  const untrackClients = options.track('postgres raw connections', closeClients);
  try {
    const maxWriters = Math.max(...options.modes.map((mode) => mode.writers));
    for (let i = 0; i < maxWriters; i++) {
      const client = new Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 5000 });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
    }
    await clients[0].query('CREATE TABLE raw_events (LIKE events INCLUDING ALL)');
    const port = portTarget(storage, streams);
    const raw = rawTarget(clients, streams);
    const figures: PgAppendFigures[] = [];
    let portTotal = 0;
    let rawTotal = 0;
    for (const mode of options.modes) {
      const portRates: number[] = [];
      const rawRates: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round <= options.rounds; round++) {
        const portEvents = makeEvents(prng, mode.eventsPerRound);
        const rawEvents = makeEvents(prng, mode.eventsPerRound);
        let portMs = 0;
        let rawMs = 0;
        const turn = mode.chunkAppends;
        for (let chunk = 0; chunk * turn < mode.eventsPerRound; chunk++) {
          const from = chunk * turn;
          const to = from + turn;
          await yieldToEventLoop();
          if (chunk % 2 === 0) {
            portMs += await port.run(portEvents.slice(from, to), mode.writers);
            rawMs += await raw.run(rawEvents.slice(from, to), mode.writers);
          } else {
            rawMs += await raw.run(rawEvents.slice(from, to), mode.writers);
            portMs += await port.run(portEvents.slice(from, to), mode.writers);
          }
        }
        portTotal += mode.eventsPerRound;
        rawTotal += mode.eventsPerRound;
        const portRate = (mode.eventsPerRound / portMs) * 1000;
        const rawRate = (mode.eventsPerRound / rawMs) * 1000;
        options.log(
          `postgres append, ${mode.writers} writer(s), round ${round}${round === 0 ? ' (warm-up)' : ''}: port ${portRate.toFixed(0)} ev/s, raw ${rawRate.toFixed(0)} ev/s`,
        );
        if (round === 0) continue;
        portRates.push(portRate);
        rawRates.push(rawRate);
        ratios.push(portRate / rawRate);
      }
      figures.push({
        writers: mode.writers,
        eventsPerRound: mode.eventsPerRound,
        rounds: options.rounds,
        portEventsPerSec: median(portRates),
        rawEventsPerSec: median(rawRates),
        ratio: median(ratios),
        roundRatios: ratios,
      });
    }
    const { rows } = await clients[0].query<{ n: string; lo: string | null; hi: string | null; raw: string }>(
      'SELECT count(*) AS n, min(position) AS lo, max(position) AS hi, (SELECT count(*) FROM raw_events) AS raw FROM events',
    );
    const portEvents = Number(rows[0].n);
    const rawEvents = Number(rows[0].raw);
    return {
      figures,
      portEvents,
      portPositionsGapFree: portEvents === portTotal && Number(rows[0].lo) === 1 && Number(rows[0].hi) === portEvents,
      rawEvents,
      rawRowsComplete: rawEvents === rawTotal,
    };
  } finally {
    untrackClients();
    await closeClients();
    untrackStorage();
    await closeStorage();
  }
}

/**
 * Section 1b alone, for iterating on the PostgreSQL append path:
 * `npx ts-node --transpile-only bench/postgres-append-bench.ts`, with BENCH_DATABASE_URL, BENCH_SEED
 * and BENCH_PG_APPEND_ROUNDS (measured rounds per mode, default 5). Prints the figures as markdown.
 */
async function main(): Promise<void> {
  const startedAt = Date.now();
  const log = (line: string) => process.stderr.write(`[pg-append-bench ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
  const resources = new RunResources(log);
  const fail = async (message: string, code: number): Promise<never> => {
    process.stderr.write(`pg-append-bench: ${message}\n`);
    await resources.cleanup().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void fail('interrupted', 130));
  process.on('SIGTERM', () => void fail('terminated', 143));
  try {
    const seed = numberEnv('BENCH_SEED', 20241018, (v) => Number.isInteger(v) && v >= 0);
    const rounds = numberEnv('BENCH_PG_APPEND_ROUNDS', 5, (v) => Number.isInteger(v) && v >= 1 && v <= 100);
    resources.root = mkdtempSync(join(tmpdir(), 'timeline-pg-append-bench-'));
    const schema = await createBenchSchema(BENCH_DATABASE_URL);
    resources.track(`schema ${schema.schema}`, () => schema.drop());
    log(`schema ${schema.schema} on ${redactUrl(BENCH_DATABASE_URL)}, ${rounds} rounds per mode`);
    const result = await postgresAppendBenchmark({
      databaseUrl: schema.url,
      dir: resources.root,
      modes: PG_APPEND_MODES,
      rounds,
      streams: 100,
      seed,
      log,
      track: resources.track,
    });
    process.stdout.write(
      `${table(
        ['writers', 'port events/s', 'raw events/s', 'port/raw (median of rounds)', 'per-round ratios', 'target ≥ 0.5'],
        result.figures.map((row) => [
          String(row.writers),
          fmtInt(row.portEventsPerSec),
          fmtInt(row.rawEventsPerSec),
          fmtNum(row.ratio),
          row.roundRatios.map((r) => r.toFixed(2)).join(', '),
          verdict(row.ratio >= 0.5),
        ]),
      )}\n\nport positions ${result.portPositionsGapFree ? '1..n, gap-free' : 'NOT gap-free'}; raw rows ${result.rawRowsComplete ? 'all there' : 'SOME MISSING'}\n`,
    );
    await resources.cleanup();
    process.exit(result.portPositionsGapFree && result.rawRowsComplete ? 0 : 1);
  } catch (error) {
    await fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1);
  }
}

if (require.main === module) void main();
