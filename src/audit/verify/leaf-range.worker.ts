import { parentPort, workerData } from 'node:worker_threads';
import type { LeafRangeWorkerData } from './leaf-range-workers';
import { LeafRange, checkLeafRange } from './leaf-ranges';
import { rangeHashingNamed } from './range-hashing';
import { SqliteLeafRangeReader } from './sqlite-leaf-ranges';

/** A verify worker: opens its own reader on the source, checks each range it is sent, in order; `null` ends it. */
const { source, hashing: hashingName } = workerData as LeafRangeWorkerData;
const hashing = rangeHashingNamed(hashingName);
const reader = new SqliteLeafRangeReader(source.file);
// One range at a time, answered in the order sent. A check that fails ends the worker with the
// error (its pool then fails the check and starts afresh).
let previous = Promise.resolve();
parentPort!.on('message', (range: LeafRange | null) => {
  previous = previous
    .then(async () => {
      if (range === null) {
        reader.close();
        parentPort!.close();
        return;
      }
      parentPort!.postMessage(await checkLeafRange(reader, range, hashing));
    })
    .catch((error: unknown) => {
      setImmediate(() => {
        throw error;
      });
    });
});
