import { KeyObject } from 'node:crypto';
import { Clock } from '../platform/clock';
import { AuditTree } from './audit-tree';
import { toHex } from './merkle/merkle-hash';
import { SignedTreeHead, publicKeyText, signTreeHead } from './tree-head';

/** Signs tree heads with the server's Ed25519 key, timestamped by the one clock. */
export class TreeHeadSigner {
  readonly publicKey: string;

  constructor(
    private readonly privateKey: KeyObject,
    private readonly clock: Clock,
  ) {
    this.publicKey = publicKeyText(privateKey);
  }

  sign(treeSize: number, rootHash: Buffer): SignedTreeHead {
    return signTreeHead({ treeSize, rootHash: toHex(rootHash), timestamp: new Date(this.clock.now()).toISOString() }, this.privateKey);
  }

  /** The signed head of the tree as it is now: O(log n) reads. */
  async currentHead(tree: AuditTree): Promise<SignedTreeHead> {
    const size = await tree.size();
    return this.sign(size, await tree.root(size));
  }
}
