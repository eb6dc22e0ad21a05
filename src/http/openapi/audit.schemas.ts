import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ConsistencyProof, InclusionProof } from '../../application/audit/audit-log';
import { LogReplay } from '../../application/audit/log-replay';
import { SignedTreeHead, TREE_HEAD_ALGORITHM } from '../../audit/tree-head';
import { LogVerification, Mismatch, MismatchReason } from '../../audit/verify/log-verifier';
import { DevelopmentViewSchema } from './knowledge.schemas';

/* Response schemas of the auditor's routes; each class implements the type the route returns. */

const HASH = { description: 'SHA-256, hex', example: '5f2b9c0e8d7a6b4c3e1f0a9d8c7b6a5e4f3d2c1b0a9e8d7c6b5a4f3e2d1c0b9a' };

@ApiSchema({ name: 'SignedTreeHead', description: "The Merkle tree over the log, signed: the signature is over the RFC 8785 JSON of {treeSize, rootHash, timestamp}." })
export class SignedTreeHeadSchema implements SignedTreeHead {
  @ApiProperty({ example: 42 })
  treeSize!: number;

  @ApiProperty(HASH)
  rootHash!: string;

  @ApiProperty({ example: '2024-10-24T12:00:00.000Z' })
  timestamp!: string;

  @ApiProperty({ description: 'Ed25519 signature, base64' })
  signature!: string;

  @ApiProperty({ description: 'the key to check it: base64 of the SPKI DER' })
  publicKey!: string;

  @ApiProperty({ enum: [TREE_HEAD_ALGORITHM], example: TREE_HEAD_ALGORITHM })
  algorithm!: typeof TREE_HEAD_ALGORITHM;
}

@ApiSchema({ name: 'InclusionProof', description: 'RFC 9162 inclusion proof of one event in the tree of `treeSize` leaves.' })
export class InclusionProofSchema implements InclusionProof {
  @ApiProperty({ example: 41 })
  leafIndex!: number;

  @ApiProperty({ example: 42 })
  treeSize!: number;

  @ApiProperty(HASH)
  leafHash!: string;

  @ApiProperty({ type: [String], description: 'sibling hashes, hex, leaf to root' })
  auditPath!: string[];
}

@ApiSchema({ name: 'ConsistencyProof', description: 'RFC 9162 consistency proof between the trees of `first` and `second` leaves.' })
export class ConsistencyProofSchema implements ConsistencyProof {
  @ApiProperty({ example: 20 })
  first!: number;

  @ApiProperty({ example: 42 })
  second!: number;

  @ApiProperty({ type: [String], description: 'hashes, hex' })
  proof!: string[];
}

const MISMATCH_REASONS: MismatchReason[] = ['leaf-hash', 'position', 'missing-event', 'tree-node'];

@ApiSchema({ name: 'Mismatch', description: 'The first place the log and its tree disagree.' })
export class MismatchSchema implements Mismatch {
  @ApiProperty({ example: 7 })
  leafIndex!: number;

  @ApiProperty({ description: 'the position the tree holds for that leaf', example: 8 })
  position!: number;

  @ApiProperty({ enum: MISMATCH_REASONS, example: 'leaf-hash' })
  reason!: MismatchReason;

  @ApiProperty(HASH)
  expected!: string;

  @ApiProperty({ type: String, nullable: true })
  actual!: string | null;
}

@ApiSchema({ name: 'LogVerification' })
export class LogVerificationSchema implements LogVerification {
  @ApiProperty({ example: true })
  ok!: boolean;

  @ApiProperty({ example: 42 })
  treeSize!: number;

  @ApiProperty({ ...HASH, description: "the root recomputed from the log's first treeSize events" })
  rootHash!: string;

  @ApiPropertyOptional({ type: () => MismatchSchema })
  firstMismatch?: MismatchSchema;
}

@ApiSchema({ name: 'LogReplay', description: 'The knowledge view folded from the log alone, and whether the read model answers the same.' })
export class LogReplaySchema implements LogReplay {
  @ApiProperty({ example: '2024-10-24T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ example: '2024-10-24T00:00:00.000Z' })
  recordedAsOf!: string;

  @ApiProperty({ description: 'the last log position folded', example: 42 })
  position!: number;

  @ApiProperty({ type: () => [DevelopmentViewSchema] })
  items!: DevelopmentViewSchema[];

  @ApiProperty({ ...HASH, description: 'SHA-256 (hex) of the RFC 8785 canonical JSON of items' })
  digest!: string;

  @ApiProperty({ example: true })
  matchesReadModel!: boolean;
}
