import { WriteResult } from '../application/write-result';

/** Positions and versions are bigint inside and JSON numbers at the edge. */
export function writeResultJson(result: WriteResult) {
  return {
    id: result.id,
    version: Number(result.version),
    position: Number(result.position),
    ...(result.claimId ? { claimId: result.claimId } : {}),
    ...(result.revisionId ? { revisionId: result.revisionId } : {}),
    ...(result.readModelBehind ? { readModelBehind: true } : {}),
  };
}
