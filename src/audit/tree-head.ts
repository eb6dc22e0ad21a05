import canonicalize from 'canonicalize';
import { KeyObject, createPublicKey, sign, verify } from 'node:crypto';

export const TREE_HEAD_ALGORITHM = 'Ed25519';

/** What a tree head commits to: the first `treeSize` events of the log have this Merkle root. */
export type TreeHead = Readonly<{ treeSize: number; rootHash: string; timestamp: string }>;

/** A tree head with its Ed25519 signature and the key to check it (base64 of the SPKI DER). */
export type SignedTreeHead = TreeHead &
  Readonly<{ signature: string; publicKey: string; algorithm: typeof TREE_HEAD_ALGORITHM }>;

/**
 * The exact bytes signed: the UTF-8 of the RFC 8785 canonical JSON of `{treeSize, rootHash,
 * timestamp}` and nothing else, i.e. `{"rootHash":"<hex>","timestamp":"<ISO 8601>","treeSize":<n>}`.
 */
export function treeHeadSigningInput(head: TreeHead): Buffer {
  return Buffer.from(canonicalize({ treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp })!, 'utf8');
}

export const publicKeyText = (key: KeyObject): string =>
  createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');

export function signTreeHead(head: TreeHead, privateKey: KeyObject): SignedTreeHead {
  return {
    treeSize: head.treeSize,
    rootHash: head.rootHash,
    timestamp: head.timestamp,
    signature: sign(null, treeHeadSigningInput(head), privateKey).toString('base64'),
    publicKey: publicKeyText(privateKey),
    algorithm: TREE_HEAD_ALGORITHM,
  };
}

/**
 * Whether the head's signature holds under its own public key, or under `trustedPublicKey` (base64
 * SPKI DER) when given: a head that carries another key than the trusted one is refused.
 */
export function verifyTreeHeadSignature(head: SignedTreeHead, trustedPublicKey?: string): boolean {
  if (head.algorithm !== TREE_HEAD_ALGORITHM) return false;
  if (trustedPublicKey !== undefined && trustedPublicKey !== head.publicKey) return false;
  try {
    const key = createPublicKey({ key: Buffer.from(head.publicKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, treeHeadSigningInput(head), key, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The value as a tree head (signed or not), or undefined when its shape is wrong. */
export function parseTreeHead(value: unknown): (TreeHead & Partial<SignedTreeHead>) | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const head = value as Record<string, unknown>;
  const ok =
    Number.isSafeInteger(head.treeSize) &&
    (head.treeSize as number) >= 0 &&
    typeof head.rootHash === 'string' &&
    /^[0-9a-f]{64}$/.test(head.rootHash) &&
    typeof head.timestamp === 'string' &&
    ['signature', 'publicKey', 'algorithm'].every((field) => head[field] === undefined || typeof head[field] === 'string');
  return ok ? (head as TreeHead & Partial<SignedTreeHead>) : undefined;
}

export const isSigned = (head: TreeHead & Partial<SignedTreeHead>): head is SignedTreeHead =>
  head.signature !== undefined && head.publicKey !== undefined && head.algorithm !== undefined;
