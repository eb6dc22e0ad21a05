import { KnowledgePageText } from '../projections/knowledge/knowledge.queries';
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

/**
 * `/v1/knowledge`'s answer as bytes, put together around the page's items, which are JSON already
 * (the page cache keeps them so): the same bytes as `JSON.stringify` of the object.
 */
export function knowledgePageJson(asOf: string, recordedAsOf: string, page: KnowledgePageText, nextCursor: string | null): Buffer {
  return Buffer.concat([
    Buffer.from(`{"asOf":${JSON.stringify(asOf)},"recordedAsOf":${JSON.stringify(recordedAsOf)},"items":`),
    page.items,
    Buffer.from(`,"nextCursor":${JSON.stringify(nextCursor)}}`),
  ]);
}
