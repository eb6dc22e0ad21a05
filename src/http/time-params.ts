import { TimePoint } from '../domain/knowledge/knowledge.query';
import { parseTopicList } from '../domain/knowledge/topics';
import { SEARCH_QUERY_MESSAGE, parseSearchQuery } from '../domain/knowledge/search-terms';
import { axisBoundMs, axisStartMs, instantText, parseReportedTime } from '../domain/shared/time';
import { RequestValidationError } from './problem';

/** A query-string time as an inclusive upper bound in ms (a date means the end of that day, UTC). */
export function boundMs(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : axisBoundMs(parsed(value));
}

/** A query-string time as an inclusive lower bound in ms (a day, month or year means its start, UTC). */
export function startMs(value: string): number {
  return axisStartMs(parsed(value));
}

function parsed(value: string) {
  const time = parseReportedTime(value);
  if (!time) throw new RequestValidationError(`'${value}' is not a time`);
  return time;
}

export function timePoint(asOf: string | undefined, recordedAsOf: string | undefined, now: number): TimePoint {
  return { asOfMs: boundMs(asOf, now), recordedAsOfMs: boundMs(recordedAsOf, now) };
}

/** Positions travel as JSON numbers, so the API takes none beyond 2^53 - 1. */
export function positionParam(value: string | undefined, field = 'position'): bigint | undefined {
  if (value === undefined) return undefined;
  const position = BigInt(value);
  if (position > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RequestValidationError(`${field} is beyond the largest position (2^53 - 1)`, [
      { field, message: 'must be at most 9007199254740991' },
    ]);
  }
  return position;
}

export function limitParam(value: string | undefined, fallback: number, max: number, field = 'limit'): number {
  const limit = value === undefined ? fallback : Number(value);
  if (limit > max) throw new RequestValidationError(`${field} must be at most ${max}`, [{ field, message: `must be from 1 to ${max}` }]);
  return limit;
}

/** `topic=a,b` (validated by the DTO's `IsTopicList`) as the topics it asks for. */
export function topicsParam(value: string | undefined, field = 'topic'): string[] | undefined {
  if (value === undefined) return undefined;
  const topics = parseTopicList(value);
  if (!topics) throw new RequestValidationError(`${field} is not a list of topics`, [{ field, message: 'must be 1 to 20 comma-separated topics' }]);
  return topics;
}

/** `q=` as its search terms (the DTO has checked it; a 400 all the same if not). */
export function searchParam(value: string | undefined, field = 'q'): string[] | undefined {
  if (value === undefined) return undefined;
  const terms = parseSearchQuery(value);
  if (!terms) throw new RequestValidationError(`${field} is not a search`, [{ field, message: SEARCH_QUERY_MESSAGE }]);
  return terms;
}

export { instantText };
