import 'reflect-metadata';
import { format } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import { Prng } from '../prng';
import { PeerEvent, PeerStore, PeerSystem, RebuildCounts, STREAM_LENGTH, SystemName, SystemOptions, peerEvents, seededStream, writerStream } from './peer-system';

/** What the main thread asks of a system's worker, one request at a time. */
export type WorkerRequest = Readonly<
  | { op: 'open' }
  | { op: 'seed'; events: number; writers: number; eventsPerAppend: number; seed: number }
  | { op: 'append'; events: number; writers: number; seed: number; prefix: string; seconds: number }
  | { op: 'transactions'; prefix: string }
  | { op: 'readLog' }
  | { op: 'readStreams'; streams: number }
  | { op: 'rebuild'; name: string }
  | { op: 'close' }
>;

export type AppendOutcome = Readonly<{ appended: number; failed: number; firstError?: string; stoppedEarly: boolean }>;

export type WorkerReply = Readonly<{
  ms: number;
  /** Events appended, read or applied. */
  events: number;
  failed?: number;
  firstError?: string;
  /** An append workload that reached its time limit before its last event. */
  stoppedEarly?: boolean;
  /** PostgreSQL: transactions that wrote the appends counted. */
  transactions?: number;
  retries?: number;
  streams?: number;
  counts?: RebuildCounts;
  facts?: string[];
  files?: string[];
  consoleLines?: number;
  firstConsoleLine?: string;
}>;

export type WorkerData = Readonly<{ system: SystemName; options: SystemOptions }>;

const { system: name, options } = workerData as WorkerData;

// Emmett's SQLite store prints every failed transaction with console.log: counted, kept off the report.
let consoleLines = 0;
let firstConsoleLine: string | undefined;
console.log = (...args: unknown[]) => {
  consoleLines += 1;
  firstConsoleLine ??= format(...args).slice(0, 300);
};

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300);

/**
 * `writers` concurrent loops, writer w appending every `writers`-th event, one per call, to a stream of
 * its own (a new one every STREAM_LENGTH appends), each call expecting the stream's current version.
 * A refused append is counted and the writer goes on with its next event. No append starts after
 * `seconds` (a system that takes seconds per append would hold the whole run).
 */
async function appendWorkload(store: PeerStore, events: readonly PeerEvent[], writers: number, prefix: string, seconds: number): Promise<AppendOutcome> {
  let failed = 0;
  let firstError: string | undefined;
  let stoppedEarly = false;
  const deadline = performance.now() + seconds * 1000;
  const appended = await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      let done = 0;
      for (let i = writer; i < events.length; i += writers) {
        if (performance.now() > deadline) {
          stoppedEarly = true;
          break;
        }
        try {
          await store.append(writerStream(prefix, writer, done), [events[i]], done % STREAM_LENGTH);
          done += 1;
        } catch (error) {
          failed += 1;
          firstError ??= errorText(error);
        }
      }
      return done;
    }),
  );
  return { appended: appended.reduce((a, b) => a + b, 0), failed, firstError, stoppedEarly };
}

const BUSY_RETRIES = 1000;

/**
 * Seeding is not measured: an append refused because the database is busy is tried again (Emmett's
 * SQLite store throws "cannot rollback - no transaction is active" when its BEGIN was refused as busy).
 */
async function appendRetryingBusy(store: PeerStore, streamId: string, events: readonly PeerEvent[], eventsInStream: number): Promise<number> {
  for (let retries = 0; ; retries++) {
    try {
      await store.append(streamId, events, eventsInStream);
      return retries;
    } catch (error) {
      if (retries >= BUSY_RETRIES || !/SQLITE_BUSY|database is locked|cannot rollback - no transaction is active/i.test(errorText(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

/** The read workloads' log: `events` events in streams of STREAM_LENGTH, written by `writers` concurrent writers. */
async function seed(system: PeerSystem, request: Extract<WorkerRequest, { op: 'seed' }>): Promise<WorkerReply> {
  const events = peerEvents(new Prng(request.seed), request.events);
  const streams = Math.ceil(events.length / STREAM_LENGTH);
  let retries = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: request.writers }, async (_, writer) => {
      for (let stream = writer; stream < streams; stream += request.writers) {
        const ofStream = events.slice(stream * STREAM_LENGTH, (stream + 1) * STREAM_LENGTH);
        for (let at = 0; at < ofStream.length; at += request.eventsPerAppend) {
          retries += await appendRetryingBusy(system.log, seededStream(stream), ofStream.slice(at, at + request.eventsPerAppend), at);
        }
      }
    }),
  );
  return { ms: performance.now() - start, events: events.length, retries, streams };
}

async function timed(run: () => Promise<Omit<WorkerReply, 'ms'>>): Promise<WorkerReply> {
  const start = performance.now();
  const reply = await run();
  return { ms: performance.now() - start, ...reply };
}

async function handle(request: WorkerRequest, system: PeerSystem): Promise<WorkerReply> {
  switch (request.op) {
    case 'open':
      return { ms: 0, events: 0, facts: await system.facts(), files: [...system.files] };
    case 'seed':
      return seed(system, request);
    case 'append': {
      const events = peerEvents(new Prng(request.seed), request.events);
      return timed(async () => {
        const outcome = await appendWorkload(system.appends, events, request.writers, request.prefix, request.seconds);
        return { events: outcome.appended, failed: outcome.failed, firstError: outcome.firstError, stoppedEarly: outcome.stoppedEarly };
      });
    }
    case 'transactions':
      if (!system.appendTransactions) throw new Error(`${name} cannot count its transactions`);
      return { ms: 0, events: 0, transactions: await system.appendTransactions(request.prefix) };
    case 'readLog':
      return timed(async () => ({ events: await system.readLog() }));
    case 'readStreams':
      return timed(async () => {
        let events = 0;
        for (let n = 0; n < request.streams; n++) events += await system.readStream(seededStream(n));
        return { events, streams: request.streams };
      });
    case 'rebuild': {
      await system.resetCounts();
      const reply = await timed(async () => {
        await system.rebuild(request.name);
        return { events: 0 };
      });
      const counts = await system.counts();
      return { ...reply, events: counts.events, counts };
    }
    case 'close':
      await system.close();
      return { ms: 0, events: 0, consoleLines, firstConsoleLine };
    default: {
      const never: never = request;
      throw new Error(`unknown request ${JSON.stringify(never)}`);
    }
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('peer-worker runs in a worker thread');
  // Opened once, on the first request; a system that cannot open fails every request with that error.
  let opened: Promise<PeerSystem> | undefined;
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        opened ??= import(`./${name}`).then((module: { open(options: SystemOptions): Promise<PeerSystem> }) => module.open(options));
        port.postMessage({ ok: true, reply: await handle(request, await opened) });
      } catch (error) {
        port.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    });
  });
}

void main();
