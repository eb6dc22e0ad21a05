import { TimePoint } from '../domain/knowledge/knowledge.query';
import { axisBoundMs, instantText, parseReportedTime } from '../domain/shared/time';
import { RequestValidationError } from './problem';

/** A query-string time as an inclusive upper bound in ms (a date means the end of that day, UTC). */
export function boundMs(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : axisBoundMs(parsed(value));
}

/** A query-string time as an inclusive lower bound in ms (a date means the start of that day, UTC). */
export function startMs(value: string): number {
  return parsed(value).ms;
}

function parsed(value: string) {
  const time = parseReportedTime(value);
  if (!time) throw new RequestValidationError(`'${value}' is not a time`);
  return time;
}

export function timePoint(asOf: string | undefined, recordedAsOf: string | undefined, now: number): TimePoint {
  return { asOfMs: boundMs(asOf, now), recordedAsOfMs: boundMs(recordedAsOf, now) };
}

export const positionParam = (value: string | undefined): bigint | undefined =>
  value === undefined ? undefined : BigInt(value);

export function limitParam(value: string | undefined, fallback: number, max: number, field = 'limit'): number {
  const limit = value === undefined ? fallback : Number(value);
  if (limit > max) throw new RequestValidationError(`${field} must be at most ${max}`, [{ field, message: `must be from 1 to ${max}` }]);
  return limit;
}

export { instantText };
