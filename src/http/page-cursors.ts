import { SLUG_PATTERN } from '../domain/shared/slug';
import { isWritableInstantMs } from '../domain/shared/time';
import { KnowledgeCursor, SourceClaimsCursor } from '../projections/knowledge/knowledge.queries';
import { RequestValidationError } from './problem';

/** Cursors pin the first page's transaction time, so later pages read the same record. */
type Pinned<T> = T & { recordedAsOfMs: number };

const encode = (fields: readonly unknown[]): string => Buffer.from(JSON.stringify(fields)).toString('base64url');

/** Every field checked: a cursor is client input, and an unchecked time or key fails deep in a query (a 500). */
function decode<T>(raw: string, read: (fields: readonly unknown[]) => T | undefined): T {
  try {
    const fields: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    const cursor = Array.isArray(fields) ? read(fields) : undefined;
    if (cursor !== undefined) return cursor;
  } catch {
    // fall through: any undecodable cursor is bad input
  }
  throw new RequestValidationError('cursor is not one this server issued', [{ field: 'cursor', message: 'must be a nextCursor value' }]);
}

export const encodeKnowledgeCursor = (cursor: Pinned<KnowledgeCursor>): string => encode([cursor.sortKey, cursor.id, cursor.recordedAsOfMs]);

export const decodeKnowledgeCursor = (raw: string): Pinned<KnowledgeCursor> =>
  decode(raw, (fields) => {
    const [sortKey, id, recordedAsOfMs] = fields.length === 3 ? fields : [];
    return Number.isSafeInteger(sortKey) && typeof id === 'string' && SLUG_PATTERN.test(id) && typeof recordedAsOfMs === 'number' && isWritableInstantMs(recordedAsOfMs)
      ? { sortKey: sortKey as number, id, recordedAsOfMs }
      : undefined;
  });

export const encodeSourceClaimsCursor = (cursor: Pinned<SourceClaimsCursor>): string => encode([cursor.reportedAtMs, cursor.claimId, cursor.recordedAsOfMs]);

export const decodeSourceClaimsCursor = (raw: string): Pinned<SourceClaimsCursor> =>
  decode(raw, (fields) => {
    const [reportedAtMs, claimId, recordedAsOfMs] = fields.length === 3 ? fields : [];
    return Number.isSafeInteger(reportedAtMs) && typeof claimId === 'string' && claimId.length > 0 && claimId.length <= 200 && typeof recordedAsOfMs === 'number' && isWritableInstantMs(recordedAsOfMs)
      ? { reportedAtMs: reportedAtMs as number, claimId, recordedAsOfMs }
      : undefined;
  });
