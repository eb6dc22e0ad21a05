import fc from 'fast-check';
import { Worker } from 'node:worker_threads';
import { leafHash, nodeHash, toHex } from '../../src/audit/merkle/merkle-hash';
import { LEAF_START, RangeHashing, nativeHashing, nodeCryptoHashing, rangeHashing } from '../../src/audit/verify/range-hashing';
import { naive } from './support/memory-tree';

/** `describe`, or a reported skip when the addon was not built (no C compiler) outside CI; in CI a missing addon fails. */
function describeWithAddon(name: string, body: (native: RangeHashing) => void): void {
  if (nativeHashing || process.env.CI) {
    describe(name, () => {
      it('is built and the one range checks use', () => {
        expect(nativeHashing?.name).toBe('native');
        expect(rangeHashing).toBe(nativeHashing);
      });
      if (nativeHashing) body(nativeHashing);
    });
    return;
  }
  process.stdout.write(`${name}: skipped, the addon is not built (npm ci builds it with node-gyp where a C compiler is installed)\n`);
  describe.skip(name, () => body(nodeCryptoHashing));
}

/** Leaves as a range check reads them: each begun by LEAF_START, back to back. */
const laidOut = (leaves: readonly Buffer[]) => Buffer.concat(leaves.flatMap((leaf) => [Buffer.of(LEAF_START), leaf]));

/** Bytes of any value but LEAF_START, so that each leaf ends where the next begins. */
const leafArb = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes.map((byte) => (byte === LEAF_START ? 0 : byte))));

describe('range hashing through node:crypto', () => {
  it('hashes each leaf laid out as SHA-256(0x00 ‖ leaf), and the edge of the range', () => {
    fc.assert(
      fc.property(fc.array(leafArb, { maxLength: 40 }), (leaves) => {
        const hashes = nodeCryptoHashing.leafHashes(laidOut(leaves), leaves.length)!;
        expect(hashes.equals(Buffer.concat(leaves.map((leaf) => leafHash(leaf))))).toBe(true);
        const edge = nodeCryptoHashing.edge(hashes);
        expect(edge).toHaveLength(leaves.length === 0 ? 0 : leaves.length.toString(2).replace(/0/g, '').length);
        // The edge's subtrees, largest first, fold right to left into the root.
        if (leaves.length > 0) expect(toHex(edge.reduceRight((right, left) => nodeHash(left, right)))).toBe(toHex(naive.root(leaves)));
      }),
      { numRuns: 100 },
    );
  });
});

describeWithAddon('range hashing in the native addon', (native) => {
  /** Both hashings over copies of the same bytes: each overwrites the leaves' first bytes. */
  function both(bytes: Buffer, count: number): [Buffer | undefined, Buffer | undefined] {
    return [native.leafHashes(Buffer.from(bytes), count), nodeCryptoHashing.leafHashes(Buffer.from(bytes), count)];
  }

  it('hashes the leaves as node:crypto does, for any bytes and any count', () => {
    // Any bytes: LEAF_START inside a leaf, at no start, or too few leaves for the count.
    const bytesArb = fc.oneof(
      fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 30 }).map((leaves) => laidOut(leaves.map((leaf) => Buffer.from(leaf)))),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
    );
    fc.assert(
      fc.property(bytesArb, fc.nat(35), (bytes, count) => {
        const [fromAddon, fromNodeCrypto] = both(bytes, count);
        expect(fromAddon === undefined).toBe(fromNodeCrypto === undefined);
        if (fromAddon) expect(fromAddon.equals(fromNodeCrypto!)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('says a range does not hold its count of leaves, as node:crypto does', () => {
    const bytes = laidOut([Buffer.from('{"a":1}'), Buffer.from('{"b":2}')]);
    expect(both(bytes, 3)).toEqual([undefined, undefined]);
    expect(both(bytes.subarray(1), 2)).toEqual([undefined, undefined]);
    expect(both(Buffer.alloc(0), 1)).toEqual([undefined, undefined]);
    expect(both(Buffer.alloc(0), 0).map((hashes) => hashes?.length)).toEqual([0, 0]);
    // Counts that are no number of leaves.
    for (const count of [-1, 1.5, Number.NaN, 2 ** 32 + 1]) expect(both(bytes, count)).toEqual([undefined, undefined]);
    // More LEAF_START bytes than leaves: one of them is inside a leaf, which is then cut in the wrong place.
    expect(both(bytes, 1)).toEqual([undefined, undefined]);
    const inside = laidOut([Buffer.from([0x7b, LEAF_START, 0x7d]), Buffer.from('{}')]);
    expect(both(inside, 2)).toEqual([undefined, undefined]);
    // Counted as three, they are three leaves.
    const expected = Buffer.concat(['{', '}', '{}'].map((leaf) => leafHash(Buffer.from(leaf))));
    expect(both(inside, 3).map((hashes) => hashes?.equals(expected))).toEqual([true, true]);
  });

  it('gives the same edge as node:crypto for every width', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 600 }), (hashes) => {
        const leafHashes = Buffer.concat(hashes);
        expect(native.edge(leafHashes).map(toHex)).toEqual(nodeCryptoHashing.edge(leafHashes).map(toHex));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what is not leaf hashes or not a Buffer', () => {
    // Errors made by the addon belong to Node's realm, not jest's: compared by name.
    const thrown = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
      return 'nothing thrown';
    };
    expect(thrown(() => native.edge(Buffer.alloc(33)))).toBe('RangeError: leaf hashes come 32 bytes each');
    expect(thrown(() => native.edge('x' as unknown as Buffer))).toBe('TypeError: expected a Buffer');
    expect(thrown(() => native.leafHashes(4 as unknown as Buffer, 1))).toBe('TypeError: expected a Buffer');
  });

  it('loads and hashes in a worker thread, as verify runs it', async () => {
    const bytes = laidOut([Buffer.from('{"a":1}'), Buffer.from('{"b":"\\u001e"}')]);
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const bindings = require('bindings');
       const addon = bindings({ bindings: 'range_hashes', module_root: bindings.getRoot(workerData.file) });
       parentPort.postMessage(addon.edge(addon.leafHashes(Buffer.from(workerData.bytes), 2)));`,
      { eval: true, workerData: { bytes, file: __filename } },
    );
    const edge = await new Promise<Uint8Array>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(Buffer.from(edge).equals(native.edge(native.leafHashes(Buffer.from(bytes), 2)!)[0])).toBe(true);
  });
});
