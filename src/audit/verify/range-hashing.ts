import { hash } from 'node:crypto';
import { Hash, edgeOfLeafHashes } from '../merkle/merkle-hash';

/**
 * What starts each leaf where a range's leaves lie back to back: the ASCII record separator, a
 * byte the JSON text of an event never holds raw (JSON escapes control characters). A range whose
 * texts hold one has more of them than leaves, so it is not hashed in place but event by event.
 * The native addon has its own copy.
 */
export const LEAF_START = 0x1e;

/** How a range check hashes a range's leaves and its subtree. */
export type RangeHashing = Readonly<{
  name: 'native' | 'node:crypto';
  /**
   * The hashes of `count` leaves laid back to back in `bytes`, each begun by {@link LEAF_START}
   * (overwritten with the leaf's 0x00 byte) and ending where the next begins, the last at the end
   * of `bytes`; the hashes back to back. Undefined when `bytes` does not hold exactly `count` such
   * leaves, no more LEAF_START bytes than that (or `count` is not a whole number).
   */
  leafHashes(bytes: Buffer, count: number): Buffer | undefined;
  /** The hashes of `decomposition(n)` (largest subtree first) over n leaf hashes laid back to back. */
  edge(leafHashes: Buffer): Hash[];
}>;

/** One node:crypto call a hash. */
export const nodeCryptoHashing: RangeHashing = {
  name: 'node:crypto',
  leafHashes(bytes, count) {
    if (!Number.isInteger(count) || count < 0) return undefined;
    // Digests as 'binary' (latin1) strings, one byte a character, joined: cheaper than a Buffer each.
    let digests = '';
    for (let i = 0, start = 0; i < count; i++) {
      const next = bytes.indexOf(LEAF_START, start + 1);
      // The last leaf runs to the end: a LEAF_START inside it would mean one cut in the wrong place.
      const end = i + 1 < count ? next : next < 0 ? bytes.length : -1;
      if (bytes[start] !== LEAF_START || end < 0) return undefined;
      bytes[start] = 0x00;
      digests += hash('sha256', bytes.subarray(start, end), 'binary');
      start = end;
    }
    return Buffer.from(digests, 'latin1');
  },
  edge: edgeOfLeafHashes,
};

type RangeHashesAddon = {
  leafHashes(bytes: Buffer, count: number): Buffer | undefined;
  edge(leafHashes: Buffer): Buffer;
};

/** The `bindings` package: finds a package's node-gyp build from any file of the package, source or compiled. */
type Bindings = ((options: { bindings: string; module_root: string }) => RangeHashesAddon) & { getRoot(file: string): string };

/**
 * The same in a native addon (`src/audit/verify/native`, built by `npm ci` where a C compiler is
 * there): two calls a range, each hashing with the OpenSSL that node:crypto uses, since
 * node:crypto's own cost a call is more than a leaf's hash. Undefined when it was not built.
 */
export const nativeHashing: RangeHashing | undefined = (() => {
  let addon: RangeHashesAddon;
  try {
    const bindings = require('bindings') as Bindings;
    addon = bindings({ bindings: 'range_hashes', module_root: bindings.getRoot(__filename) });
  } catch {
    return undefined;
  }
  return {
    name: 'native',
    leafHashes: (bytes, count) => addon.leafHashes(bytes, count),
    edge(leafHashes) {
      const hashes = addon.edge(leafHashes);
      return Array.from({ length: hashes.length / 32 }, (_, i) => hashes.subarray(32 * i, 32 * i + 32));
    },
  };
})();

/** What range checks use: the native addon when it was built. */
export const rangeHashing: RangeHashing = nativeHashing ?? nodeCryptoHashing;

/** The hashing of that name; throws for the native addon when it was not built. */
export function rangeHashingNamed(name: RangeHashing['name']): RangeHashing {
  if (name === 'node:crypto') return nodeCryptoHashing;
  if (!nativeHashing) throw new Error('the native range hashing addon is not built (npm ci builds it where a C compiler is installed)');
  return nativeHashing;
}
