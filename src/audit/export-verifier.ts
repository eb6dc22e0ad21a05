import { auditLeafHash } from './audit-leaf';
import { ExportEntry, parseEntry, parseHeader } from './export-format';
import { EMPTY_TREE_ROOT, Hash, toHex } from './merkle/merkle-hash';
import { MerkleFrontier } from './merkle/merkle-frontier';
import { SignedTreeHead, TreeHead, isSigned, verifyTreeHeadSignature } from './tree-head';

export type ExportProblem = Readonly<{
  /** 1-based line of the file. */
  line?: number;
  leafIndex?: number;
  position?: number;
  reason: string;
}>;

export type ExportVerification = Readonly<{
  ok: boolean;
  /** The signed head of the export (when the header could be read). */
  treeHead?: SignedTreeHead;
  /** Events read. */
  events: number;
  /** The root recomputed from the events read. */
  rootHash: string;
  /** Whether the export extends the head the auditor saved earlier (when one was given). */
  consistentWithSavedHead?: boolean;
  problem?: ExportProblem;
}>;

export type ExportVerifyOptions = Readonly<{
  /** Base64 SPKI DER of the key the heads must be signed with; default: the key the export carries. */
  trustedPublicKey?: string;
  /** A head saved earlier: the export's first `treeSize` events must have exactly its root. */
  savedHead?: TreeHead & Partial<SignedTreeHead>;
  /** Extra checks per entry (e.g. an import's); a returned reason stops the verification. */
  checkEntry?: (entry: ExportEntry, leafHash: Hash) => string | undefined;
}>;

/**
 * Checks an export on its own, with no server and no database: the head's Ed25519 signature, every
 * leaf hash recomputed from its event (RFC 8785 JSON), the order of leaves and positions, and the
 * Merkle root against the signed one; with a saved head, that the log it saw is a prefix of this one.
 */
export async function verifyExport(lines: AsyncIterable<string> | Iterable<string>, options: ExportVerifyOptions = {}): Promise<ExportVerification> {
  const frontier = new MerkleFrontier();
  let treeHead: SignedTreeHead | undefined;
  let savedRoot: Hash | undefined = options.savedHead?.treeSize === 0 ? EMPTY_TREE_ROOT : undefined;
  let lastPosition = -1;
  let lineNumber = 0;
  const result = (problem?: ExportProblem): ExportVerification => ({
    ok: problem === undefined,
    ...(treeHead ? { treeHead } : {}),
    events: frontier.size,
    rootHash: toHex(frontier.root()),
    ...(options.savedHead && savedRoot ? { consistentWithSavedHead: savedRoot.equals(Buffer.from(options.savedHead.rootHash, 'hex')) } : {}),
    ...(problem ? { problem } : {}),
  });

  const saved = options.savedHead;
  if (saved && isSigned(saved) && !verifyTreeHeadSignature(saved, options.trustedPublicKey)) {
    return result({ reason: 'the saved tree head has no valid signature' });
  }
  for await (const line of lines) {
    lineNumber++;
    if (!treeHead) {
      const header = parseHeader(line);
      if (typeof header === 'string') return result({ line: lineNumber, reason: header });
      treeHead = header.treeHead;
      if (!verifyTreeHeadSignature(treeHead, options.trustedPublicKey)) {
        return result({ line: lineNumber, reason: options.trustedPublicKey && treeHead.publicKey !== options.trustedPublicKey ? 'the tree head is signed with another key than the trusted one' : 'the tree head signature is invalid' });
      }
      if (saved && saved.treeSize > treeHead.treeSize) {
        return result({ line: lineNumber, reason: `the saved head covers ${saved.treeSize} events, more than this export's ${treeHead.treeSize}` });
      }
      continue;
    }
    const entry = parseEntry(line);
    if (typeof entry === 'string') return result({ line: lineNumber, leafIndex: frontier.size, reason: entry });
    const at = { line: lineNumber, leafIndex: entry.leafIndex, position: entry.event.position };
    if (entry.leafIndex !== frontier.size) return result({ ...at, reason: `expected leaf ${frontier.size} here` });
    if (entry.leafIndex >= treeHead.treeSize) return result({ ...at, reason: `more events than the signed head's ${treeHead.treeSize}` });
    if (entry.event.position <= lastPosition) return result({ ...at, reason: 'positions are not increasing' });
    const leafHash = auditLeafHash(entry.event);
    if (toHex(leafHash) !== entry.leafHash) return result({ ...at, reason: 'the event does not hash to its leaf hash' });
    const refused = options.checkEntry?.(entry, leafHash);
    if (refused) return result({ ...at, reason: refused });
    frontier.append(leafHash);
    lastPosition = entry.event.position;
    if (saved && frontier.size === saved.treeSize) savedRoot = frontier.root();
  }
  if (!treeHead) return result({ reason: 'the file is empty' });
  if (frontier.size !== treeHead.treeSize) return result({ reason: `the export ends after ${frontier.size} of ${treeHead.treeSize} events` });
  if (toHex(frontier.root()) !== treeHead.rootHash) return result({ reason: 'the events do not have the signed root hash' });
  if (saved && savedRoot && !savedRoot.equals(Buffer.from(saved.rootHash, 'hex'))) {
    return result({ reason: `the log was rewritten: its first ${saved.treeSize} events no longer have the saved root hash` });
  }
  return result();
}
