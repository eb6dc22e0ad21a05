import { Kysely, SqliteDialect } from 'kysely';
import { parentPort, workerData } from 'node:worker_threads';
import { ReadModelSchema } from '../../database/schema';
import { openConnection, withStatementCache } from '../../database/sqlite-database';
import type { KnowledgeReadReply, KnowledgeReadRequest, KnowledgeReadWorkerData } from './knowledge-read-workers';
import { KnowledgePageText, KnowledgeQueries } from './knowledge.queries';

/** A read worker: its own read-only connection, queries answered in the order sent; `null` ends it. */
const { file } = workerData as KnowledgeReadWorkerData;
const connection = openConnection(file, { readonly: true });
const queries = new KnowledgeQueries({ query: new Kysely<ReadModelSchema>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) }) });

function answer(request: KnowledgeReadRequest): Promise<unknown> {
  switch (request.method) {
    case 'knowledgePageText':
      return queries.knowledgePageText(...request.args);
    case 'knowledgeAsOf':
      return queries.knowledgeAsOf(...request.args);
    case 'developmentAsOf':
      return queries.developmentAsOf(...request.args);
    default:
      return Promise.reject(new Error(`unknown query ${(request as { method: string }).method}`));
  }
}

// One connection answers one query at a time anyway: a chain keeps them in order, and `null` after them.
let previous = Promise.resolve();
parentPort!.on('message', (request: KnowledgeReadRequest | null) => {
  previous = previous.then(async () => {
    if (request === null) {
      connection.close();
      parentPort!.close();
      return;
    }
    try {
      const value = await answer(request);
      // A page's JSON bytes (a buffer of their own) move to the caller rather than being copied.
      const transfer = request.method === 'knowledgePageText' ? [(value as KnowledgePageText).items.buffer as ArrayBuffer] : [];
      parentPort!.postMessage({ id: request.id, ok: true, value } satisfies KnowledgeReadReply, transfer);
    } catch (error) {
      // A failed query, or an answer that cannot be cloned: the caller gets the error, the worker goes on.
      parentPort!.postMessage(failure(request.id, error));
    }
  });
});

function failure(id: number, error: unknown): KnowledgeReadReply {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return { id, ok: false, error: { name: String(name ?? 'Error'), message: String(message ?? error), ...(typeof code === 'string' ? { code } : {}) } };
}
