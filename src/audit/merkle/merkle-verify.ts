import { Hash, nodeHash } from './merkle-hash';

const half = (value: number): number => Math.floor(value / 2);
const odd = (value: number): boolean => value % 2 === 1;
const isHash = (value: Hash): boolean => value.length === 32;

function isPowerOfTwo(value: number): boolean {
  let width = 1;
  while (width < value) width *= 2;
  return width === value;
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or undefined when the proof cannot be
 * one for this leaf index and tree size.
 */
export function rootFromInclusionProof(index: number, size: number, leaf: Hash, path: readonly Hash[]): Hash | undefined {
  if (!(index >= 0 && index < size) || !isHash(leaf)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0 || !isHash(p)) return undefined;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

/** RFC 9162 §2.1.3.2: leaf `index` with this hash is in the tree of `size` leaves with this root. */
export function verifyInclusion(index: number, size: number, leaf: Hash, path: readonly Hash[], root: Hash): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, path);
  return computed !== undefined && computed.equals(root);
}

/**
 * RFC 9162 §2.1.4.2: the tree of `first` leaves with `firstRoot` is a prefix of the tree of
 * `second` leaves with `secondRoot`. Equal sizes need equal roots and an empty proof; every tree
 * extends the empty one.
 */
export function verifyConsistency(first: number, second: number, firstRoot: Hash, secondRoot: Hash, proof: readonly Hash[]): boolean {
  if (!(first >= 0 && first <= second) || !isHash(firstRoot) || !isHash(secondRoot)) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0 || !proof.every(isHash)) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}
