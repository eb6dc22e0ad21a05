import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AsyncMutex } from '../../platform/async-mutex';
import { LeafRange, LeafRangeChecker, LeafRangeResult, LeafRangeSource, SqliteLeafRangeSource } from './leaf-ranges';
import { PostgresLeafRanges } from './postgres-leaf-ranges';
import { RangeHashing, rangeHashing } from './range-hashing';

/** What a worker is started with: where it reads, and how it hashes. */
export type LeafRangeWorkerData = Readonly<{ source: SqliteLeafRangeSource; hashing: RangeHashing['name'] }>;

/**
 * The worker's script beside this one: compiled JavaScript in a build, TypeScript when this runs
 * from source (tests, `npm run cli`), where the worker registers ts-node to load it (about half a
 * second, once per pool).
 */
function startWorker(workerData: LeafRangeWorkerData): Worker {
  const extension = extname(__filename);
  const worker = new Worker(join(__dirname, `leaf-range.worker${extension}`), {
    workerData,
    execArgv: extension === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [],
  });
  // Idle workers must not keep the process alive; a check holds them while it runs.
  worker.unref();
  return worker;
}

/** Ranges sent ahead to each worker, so it never waits for this thread between two. */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Worker threads that check leaf ranges for verify, each reading the store on its own
 * connection. Started on first use and kept, so a server pays their start once; one check runs at
 * a time.
 */
export class LeafRangeWorkers implements LeafRangeChecker {
  private workers: Worker[] | undefined;
  private readonly turn = new AsyncMutex();

  /** `hashing`: the native addon where it was built; node:crypto can be asked for (to compare them). */
  constructor(
    private readonly source: SqliteLeafRangeSource,
    readonly threads: number,
    readonly hashing: RangeHashing['name'] = rangeHashing.name,
  ) {}

  /** See {@link LeafRangeChecker.check}; ranges not yet sent to a worker are not sent. */
  check(ranges: readonly LeafRange[], onResult: (result: LeafRangeResult) => boolean): Promise<void> {
    return this.turn.run(() => this.run(ranges, onResult));
  }

  async close(): Promise<void> {
    await this.turn.run(async () => {
      const workers = this.workers ?? [];
      this.workers = undefined;
      await Promise.all(
        workers.map(async (worker) => {
          const exited = new Promise((resolve) => worker.once('exit', resolve));
          worker.ref();
          worker.postMessage(null);
          await exited;
        }),
      );
    });
  }

  private start(): Worker[] {
    const workers = Array.from({ length: Math.max(1, this.threads) }, () => startWorker({ source: this.source, hashing: this.hashing }));
    // A worker that fails or stops outside a check (or in one): the next check starts a fresh pool.
    const broken = () => {
      if (this.workers !== workers) return;
      this.workers = undefined;
      for (const worker of workers) void worker.terminate();
    };
    for (const worker of workers) worker.on('error', broken).on('exit', broken);
    return workers;
  }

  private async run(ranges: readonly LeafRange[], onResult: (result: LeafRangeResult) => boolean): Promise<void> {
    this.workers ??= this.start();
    const workers = this.workers;
    const results: (LeafRangeResult | undefined)[] = [];
    const detach: (() => void)[] = [];
    let sent = 0;
    let delivered = 0;
    let stopped = false;
    try {
      await new Promise<void>((resolve, reject) => {
        let outstanding = 0;
        const deliver = () => {
          while (!stopped && results[delivered]) stopped = !onResult(results[delivered++]!);
          if (delivered === ranges.length) stopped = true;
          if (stopped && outstanding === 0) resolve();
        };
        for (const worker of workers) {
          // A worker answers in the order it is sent ranges.
          const inFlight: number[] = [];
          const send = () => {
            if (stopped || sent >= ranges.length) return;
            inFlight.push(sent);
            worker.postMessage(ranges[sent++]);
            outstanding++;
          };
          const onMessage = (result: LeafRangeResult) => {
            results[inFlight.shift()!] = result;
            outstanding--;
            send();
            deliver();
          };
          const onExit = (code: number) => reject(new Error(`a verify worker stopped (exit code ${code})`));
          worker.on('message', onMessage).on('error', reject).on('exit', onExit).ref();
          detach.push(() => worker.off('message', onMessage).off('error', reject).off('exit', onExit).unref());
          for (let i = 0; i < IN_FLIGHT_PER_WORKER; i++) send();
        }
        deliver();
      });
    } catch (error) {
      if (this.workers === workers) this.workers = undefined;
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    } finally {
      for (const off of detach) off();
    }
  }
}

/**
 * What checks the store's leaf ranges, when it has a source a range check can read and threads are
 * wanted: worker threads on the embedded store, queries in flight on PostgreSQL.
 */
export function leafRangeChecker(source: LeafRangeSource | undefined, threads: number): LeafRangeChecker | undefined {
  if (!source || threads <= 0) return undefined;
  return source.kind === 'sqlite' ? new LeafRangeWorkers(source, threads) : new PostgresLeafRanges(source.pool, threads);
}
