import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DevelopmentView } from '../../domain/knowledge/development-view';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { ReadModelDatabase } from '../../database/read-model-database';
import { KnowledgeCursor, KnowledgePage, KnowledgePageText, KnowledgeQueries } from './knowledge.queries';

/** The queries a read worker answers, by name, with their arguments. */
export type KnowledgeReadRequest =
  | Readonly<{ id: number; method: 'knowledgePageText'; args: Parameters<KnowledgeQueries['knowledgePageText']> }>
  | Readonly<{ id: number; method: 'knowledgeAsOf'; args: Parameters<KnowledgeQueries['knowledgeAsOf']> }>
  | Readonly<{ id: number; method: 'developmentAsOf'; args: Parameters<KnowledgeQueries['developmentAsOf']> }>;

/** A worker's answer: the query's value, or its error's name, message and code (a storage error's code maps to 503/507). */
export type KnowledgeReadReply =
  | Readonly<{ id: number; ok: true; value: unknown }>
  | Readonly<{ id: number; ok: false; error: Readonly<{ name: string; message: string; code?: string }> }>;

export type KnowledgeReadWorkerData = Readonly<{ file: string }>;

/** Every read worker a query was sent to stopped (one more than there are threads): it is not sent again. */
export class ReadWorkerLostError extends Error {
  readonly code = 'READ_WORKER_LOST';
  constructor(exitCode: number) {
    super(`a read worker stopped while answering (exit code ${exitCode}); retry shortly`);
    this.name = 'ReadWorkerLostError';
  }
}

/** `lost`: workers that stopped holding this query (several may stop at once, e.g. all killed together). */
type Pending = { request: KnowledgeReadRequest; resolve(value: unknown): void; reject(error: Error): void; lost: number };

type ReadWorker = { thread: Worker; pending: Map<number, Pending> };

/** The worker's script beside this one: compiled JavaScript in a build, TypeScript (under ts-node) from source. */
function startThread(workerData: KnowledgeReadWorkerData): Worker {
  const extension = extname(__filename);
  return new Worker(join(__dirname, `knowledge-read.worker${extension}`), {
    workerData,
    execArgv: extension === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [],
  });
}

/**
 * Worker threads that answer knowledge queries on their own read-only connections to the embedded
 * store, so a page's SQL and its assembly leave the thread that serves HTTP and runs projections.
 * Started on first use; a worker that stops is replaced, and the queries it held are sent again
 * (reads are idempotent; up to once per worker of the pool, and one more), then fail with
 * {@link ReadWorkerLostError}.
 *
 * Read-your-writes holds as in-thread: a caller waits for the projections on this thread first, and
 * a read a worker starts after that commit sees it (WAL: every read transaction sees what committed before it).
 * WARNING: a worker that hangs (rather than stops) holds its queries; nothing times them out here.
 */
export class KnowledgeReadWorkers {
  private readonly workers: ReadWorker[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    readonly threads: number,
  ) {}

  run<T>(request: Omit<KnowledgeReadRequest, 'id'>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the read workers are closed'));
    return new Promise<T>((resolve, reject) => {
      this.send({ request: { ...request, id: this.nextId++ } as KnowledgeReadRequest, resolve: resolve as (value: unknown) => void, reject, lost: 0 });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(
      workers.map(async ({ thread }) => {
        const exited = new Promise((resolve) => thread.once('exit', resolve));
        thread.postMessage(null);
        await exited;
      }),
    );
  }

  /** To the least busy worker, starting the pool's missing ones first. */
  private send(pending: Pending): void {
    while (this.workers.length < this.threads) this.workers.push(this.start());
    const worker = this.workers.reduce((least, worker) => (worker.pending.size < least.pending.size ? worker : least));
    // Idle workers do not keep the process alive; one with queries does.
    if (worker.pending.size === 0) worker.thread.ref();
    worker.pending.set(pending.request.id, pending);
    worker.thread.postMessage(pending.request);
  }

  private start(): ReadWorker {
    const worker: ReadWorker = { thread: startThread({ file: this.file }), pending: new Map() };
    worker.thread.unref();
    worker.thread.on('message', (reply: KnowledgeReadReply) => {
      const pending = worker.pending.get(reply.id);
      if (!pending) return;
      worker.pending.delete(reply.id);
      if (worker.pending.size === 0) worker.thread.unref();
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }, reply.error.code === undefined ? {} : { code: reply.error.code }));
    });
    // An uncaught error in the worker ends it: 'exit' follows, and handles its queries.
    worker.thread.on('error', () => undefined);
    worker.thread.on('exit', (exitCode) => {
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      for (const pending of worker.pending.values()) {
        // Sent once more per worker of the pool and one: workers stopping together (a retry may land on
        // one whose exit is not yet seen) do not fail it, and one that cannot start does not loop.
        if (pending.lost >= this.threads || this.closed) pending.reject(new ReadWorkerLostError(exitCode));
        else this.send({ ...pending, lost: pending.lost + 1 });
      }
      worker.pending.clear();
    });
    return worker;
  }
}

/**
 * {@link KnowledgeQueries} with `/v1/knowledge` and one development's view answered by read
 * workers; the other queries still run on this thread.
 */
export class PooledKnowledgeQueries extends KnowledgeQueries {
  constructor(
    db: Pick<ReadModelDatabase, 'query'>,
    private readonly workers: KnowledgeReadWorkers,
  ) {
    super(db);
  }

  /** The worker writes the JSON too, and hands its bytes over (transferred, not copied: a page as objects costs about half its query to clone). */
  override async knowledgePageText(at: TimePoint, filter: KnowledgeFilter, limit: number, cursor?: KnowledgeCursor): Promise<KnowledgePageText> {
    const page = await this.workers.run<{ items: Uint8Array; next?: KnowledgeCursor }>({ method: 'knowledgePageText', args: [at, filter, limit, cursor] });
    return { items: Buffer.from(page.items.buffer, page.items.byteOffset, page.items.byteLength), next: page.next };
  }

  override knowledgeAsOf(at: TimePoint, filter: KnowledgeFilter, limit: number, cursor?: KnowledgeCursor): Promise<KnowledgePage> {
    return this.workers.run({ method: 'knowledgeAsOf', args: [at, filter, limit, cursor] });
  }

  override developmentAsOf(id: string, at: TimePoint): Promise<DevelopmentView | undefined> {
    return this.workers.run({ method: 'developmentAsOf', args: [id, at] });
  }

  override close(): Promise<void> {
    return this.workers.close();
  }
}

/** Read workers on the embedded store when threads are wanted; in-thread queries otherwise (and on PostgreSQL). */
export function knowledgeQueriesFor(db: ReadModelDatabase & { file?: string }, threads: number): KnowledgeQueries {
  if (threads <= 0 || db.file === undefined) return new KnowledgeQueries(db);
  return new PooledKnowledgeQueries(db, new KnowledgeReadWorkers(db.file, threads));
}
