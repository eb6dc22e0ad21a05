import { hash } from 'node:crypto';

/** A SHA-256 digest (32 bytes). */
export type Hash = Buffer;

/** MTH({}) of RFC 9162 §2.1.1: the hash of the empty string. */
export const EMPTY_TREE_ROOT: Hash = hash('sha256', '', 'buffer');

/** 0x01 ‖ left ‖ right is assembled here: hashing is synchronous, so one buffer serves every call. */
const NODE_INPUT = Buffer.alloc(65, 0x01);

/**
 * SHA-256(0x00 ‖ leaf). A string leaf is hashed as its UTF-8 bytes; prefixing the string with
 * U+0000 encodes the 0x00 byte without copying the leaf into another buffer.
 */
export function leafHash(leaf: string | Buffer): Hash {
  if (typeof leaf === 'string') return hash('sha256', `\u0000${leaf}`, 'buffer');
  return hash('sha256', Buffer.concat([Buffer.alloc(1), leaf]), 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length !== 32 || right.length !== 32) return hash('sha256', Buffer.concat([NODE_INPUT.subarray(0, 1), left, right]), 'buffer');
  left.copy(NODE_INPUT, 1);
  right.copy(NODE_INPUT, 33);
  return hash('sha256', NODE_INPUT, 'buffer');
}

/**
 * The hashes of `decomposition(n)` (largest subtree first) over n leaf hashes laid back to back in
 * one buffer, hashed a level at a time. Digests come back as 'binary' (latin1) strings, one byte per
 * character, and are written straight into the next level: asking node:crypto for a Buffer per
 * digest costs more than the hash of a node itself.
 */
export function edgeOfLeafHashes(leafHashes: Buffer): Hash[] {
  if (leafHashes.length % 32 !== 0) throw new RangeError('leaf hashes come 32 bytes each');
  const edge: Hash[] = [];
  for (let level = leafHashes; level.length > 0; ) {
    const width = level.length / 32;
    if (width % 2 === 1) edge.push(Buffer.from(level.subarray(level.length - 32)));
    const above = Buffer.allocUnsafe(Math.floor(width / 2) * 32);
    for (let i = 0; i + 1 < width; i += 2) {
      level.copy(NODE_INPUT, 1, i * 32, i * 32 + 64);
      above.write(hash('sha256', NODE_INPUT, 'binary'), i * 16, 'latin1');
    }
    level = above;
  }
  return edge.reverse();
}

/** The largest power of two strictly below `n` (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export const toHex = (value: Hash): string => value.toString('hex');

/** A lowercase hex SHA-256 digest as bytes; undefined when it is not one. */
export function fromHex(value: unknown): Hash | undefined {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? Buffer.from(value, 'hex') : undefined;
}
