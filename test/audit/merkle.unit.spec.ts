import fc from 'fast-check';
import { EMPTY_TREE_ROOT, edgeOfLeafHashes, leafHash, nodeHash, toHex } from '../../src/audit/merkle/merkle-hash';
import { MerkleFrontier, decomposition } from '../../src/audit/merkle/merkle-frontier';
import { consistencyProof, inclusionProof, rootHash } from '../../src/audit/merkle/merkle-proofs';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../src/audit/merkle/merkle-verify';
import { memoryReader, naive } from './support/memory-tree';

/**
 * Published test vectors of the Certificate Transparency reference implementations, as kept by
 * github.com/transparency-dev/merkle: `rfc6962/rfc6962_test.go` (hashing), `testonly/constants.go`
 * (the 8 leaf inputs, every subtree and every root), `testonly/reference_test.go` and
 * `proof/verify_test.go` (inclusion and consistency proofs; the same vectors as the C++ and Go
 * `merkletree` tests of google/certificate-transparency).
 */
const hex = (value: string) => Buffer.from(value, 'hex');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const NODES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION: { index: number; size: number; path: string[] }[] = [
  { index: 0, size: 1, path: [] },
  { index: 0, size: 2, path: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7'] },
  { index: 1, size: 2, path: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'] },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
/** proof/verify_test.go: (size1, size2, proof). */
const CONSISTENCY: { first: number; second: number; proof: string[] }[] = [
  { first: 1, second: 1, proof: [] },
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    first: 6,
    second: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const reader = memoryReader(LEAVES);
const hexes = (hashes: Buffer[]) => hashes.map(toHex);
const flipBit = (hash: Buffer) => {
  const copy = Buffer.from(hash);
  copy[0] ^= 8;
  return copy;
};

describe('RFC 6962 / 9162 hashing against the published vectors', () => {
  it('hashes the empty tree, an empty leaf, a leaf and a node as the reference does', () => {
    expect(toHex(EMPTY_TREE_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(leafHash(Buffer.alloc(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(toHex(leafHash('L123456'))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(toHex(leafHash(Buffer.from('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(toHex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe('aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb');
  });

  it('builds every complete subtree of the 8 reference leaves', () => {
    NODES.forEach((level, l) => level.forEach((hash, i) => expect(toHex(reader(l, i))).toBe(hash)));
  });

  it('gives the reference root for every size from 0 to 8, from stored subtrees and from the frontier', () => {
    const frontier = new MerkleFrontier();
    ROOTS.forEach((root, size) => {
      expect(toHex(rootHash(size, reader))).toBe(root);
      expect(toHex(frontier.root())).toBe(root);
      if (size < LEAVES.length) frontier.append(leafHash(LEAVES[size]));
    });
  });

  it.each(INCLUSION)('gives the reference audit path of leaf $index in a tree of $size, which verifies', ({ index, size, path }) => {
    const proof = inclusionProof(index, size, reader);
    expect(hexes(proof)).toEqual(path);
    const leaf = leafHash(LEAVES[index]);
    expect(verifyInclusion(index, size, leaf, proof, hex(ROOTS[size]))).toBe(true);
    // The reference's corruptions: wrong index, size, leaf or root; garbage before or after; a flipped bit.
    expect(verifyInclusion(index + 1, size, leaf, proof, hex(ROOTS[size]))).toBe(false);
    expect(verifyInclusion(index, size * 2, leaf, proof, hex(ROOTS[size]))).toBe(false);
    expect(verifyInclusion(index, size, leafHash('WrongLeaf'), proof, hex(ROOTS[size]))).toBe(false);
    expect(verifyInclusion(index, size, leaf, proof, EMPTY_TREE_ROOT)).toBe(false);
    expect(verifyInclusion(index, size, leaf, [...proof, hex(ROOTS[size])], hex(ROOTS[size]))).toBe(false);
    expect(verifyInclusion(index, size, leaf, [Buffer.alloc(0), ...proof], hex(ROOTS[size]))).toBe(false);
    proof.forEach((_, i) => {
      const wrong = proof.map((hash, j) => (j === i ? flipBit(hash) : hash));
      expect(verifyInclusion(index, size, leaf, wrong, hex(ROOTS[size]))).toBe(false);
    });
  });

  it.each(CONSISTENCY)('gives the reference consistency proof from $first to $second, which verifies', ({ first, second, proof: expected }) => {
    const proof = consistencyProof(first, second, reader);
    expect(hexes(proof)).toEqual(expected);
    const [r1, r2] = [hex(ROOTS[first]), hex(ROOTS[second])];
    expect(verifyConsistency(first, second, r1, r2, proof)).toBe(true);
    if (proof.length === 0) return;
    expect(verifyConsistency(first, second, r2, r1, proof)).toBe(false);
    expect(verifyConsistency(first + 1, second, r1, r2, proof)).toBe(false);
    expect(verifyConsistency(first, second * 2, r1, r2, proof)).toBe(false);
    expect(verifyConsistency(first, second, r1, r2, [])).toBe(false);
    expect(verifyConsistency(first, second, r1, r2, proof.slice(0, -1))).toBe(false);
    expect(verifyConsistency(first, second, r1, r2, [...proof, r2])).toBe(false);
    expect(verifyConsistency(first, second, r1, r2, [proof[0], ...proof])).toBe(false);
    proof.forEach((_, i) => {
      const wrong = proof.map((hash, j) => (j === i ? flipBit(hash) : hash));
      expect(verifyConsistency(first, second, r1, r2, wrong)).toBe(false);
    });
  });

  it('treats equal sizes and the empty tree as the reference verifier does', () => {
    const empty = EMPTY_TREE_ROOT;
    expect(verifyConsistency(0, 0, empty, empty, [])).toBe(true);
    expect(verifyConsistency(0, 1, empty, hex(ROOTS[1]), [])).toBe(true);
    expect(verifyConsistency(1, 1, hex(ROOTS[1]), hex(ROOTS[1]), [])).toBe(true);
    expect(verifyConsistency(1, 1, empty, hex(ROOTS[1]), [])).toBe(false);
    expect(verifyConsistency(1, 1, empty, empty, [empty])).toBe(false);
    expect(verifyConsistency(2, 1, hex(ROOTS[2]), hex(ROOTS[1]), [])).toBe(false);
    expect(rootFromInclusionProof(0, 0, leafHash('x'), [])).toBeUndefined();
  });
});

describe('Merkle algorithms against a naive recursive RFC 9162 implementation (property)', () => {
  const leavesArb = fc.array(fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)), { minLength: 1, maxLength: 200 });

  it('agree on roots, audit paths and consistency proofs for random trees, and the proofs verify', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(), fc.nat(), (leaves, a, b) => {
        const size = leaves.length;
        const read = memoryReader(leaves);
        const root = naive.root(leaves);
        expect(rootHash(size, read).equals(root)).toBe(true);

        const index = a % size;
        const path = inclusionProof(index, size, read);
        expect(hexes(path)).toEqual(hexes(naive.path(index, leaves)));
        expect(verifyInclusion(index, size, leafHash(leaves[index]), path, root)).toBe(true);

        const first = 1 + (b % size);
        const proof = consistencyProof(first, size, read);
        expect(hexes(proof)).toEqual(hexes(naive.proof(first, leaves)));
        expect(verifyConsistency(first, size, naive.root(leaves.slice(0, first)), root, proof)).toBe(true);
        if (proof.length > 0) expect(verifyConsistency(first, size, naive.root(leaves.slice(0, first)), root, proof.slice(1))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('keep the frontier equal to the decomposition of every prefix', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const frontier = new MerkleFrontier();
        const read = memoryReader(leaves);
        const completed: string[] = [];
        for (const leaf of leaves) frontier.append(leafHash(leaf), (level, index, hash) => completed.push(`${level}:${index}:${toHex(hash)}`));
        expect(frontier.root().equals(naive.root(leaves))).toBe(true);
        expect(hexes(frontier.edge())).toEqual(decomposition(leaves.length).map(({ level, index }) => toHex(read(level, index))));
        // Every complete subtree above the leaves is reported exactly once.
        const expected: string[] = [];
        for (let level = 1; 2 ** level <= leaves.length; level++) {
          for (let index = 0; (index + 1) * 2 ** level <= leaves.length; index++) expected.push(`${level}:${index}:${toHex(read(level, index))}`);
        }
        expect(completed.sort()).toEqual(expected.sort());
      }),
      { numRuns: 100 },
    );
  });

  it('compute the edge of leaf hashes laid back to back level by level, and join whole subtrees in place of their leaves', () => {
    fc.assert(
      fc.property(leavesArb, fc.nat(5), (leaves, k) => {
        const hashes = leaves.map((leaf) => leafHash(leaf));
        const read = memoryReader(leaves);
        expect(hexes(edgeOfLeafHashes(Buffer.concat(hashes)))).toEqual(decomposition(leaves.length).map(({ level, index }) => toHex(read(level, index))));
        // Aligned ranges of 2^k leaves (the last one shorter), each joined as its edge: as verify's workers hand them back.
        const frontier = new MerkleFrontier();
        for (let from = 0; from < hashes.length; from += 2 ** k) {
          const range = hashes.slice(from, from + 2 ** k);
          const edge = edgeOfLeafHashes(Buffer.concat(range));
          decomposition(range.length).forEach(({ level }, i) => frontier.appendSubtree(edge[i], level));
        }
        expect(frontier.size).toBe(leaves.length);
        expect(hexes(frontier.edge())).toEqual(decomposition(leaves.length).map(({ level, index }) => toHex(read(level, index))));
        expect(frontier.root().equals(naive.root(leaves))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('refuse a subtree that would not start at a multiple of its width', () => {
    const frontier = new MerkleFrontier();
    frontier.append(leafHash(Buffer.from('a')));
    expect(() => frontier.appendSubtree(nodeHash(leafHash(Buffer.from('b')), leafHash(Buffer.from('c'))), 1)).toThrow(RangeError);
    expect(frontier.size).toBe(1);
    expect(() => edgeOfLeafHashes(Buffer.alloc(33))).toThrow(RangeError);
  });

  it('decomposes sizes beyond 32 bits exactly', () => {
    expect(decomposition(2 ** 40 + 5)).toEqual([
      { level: 40, index: 0 },
      { level: 2, index: 2 ** 38 },
      { level: 0, index: 2 ** 40 + 4 },
    ]);
  });
});
