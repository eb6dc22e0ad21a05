import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { CommandContext } from '../event-store/handle-command';
import { IdGenerator } from '../platform/ids';
import type { ApiKey } from './auth/api-keys';
import { RequestValidationError } from './problem';

/** What authentication, the auth guard and the idempotency interceptor leave on the request. */
export type TimelineRequest = FastifyRequest & { apiKey?: ApiKey; actor?: string; idempotencyKey?: string };

/** Strong comparison only: `"3"` (or a bare 3); weak tags and unbalanced quotes are refused. */
const IF_MATCH = /^(?:"(\d{1,19})"|(\d{1,19}))$/;
const CORRELATION_ID = /^[\w.:-]{1,100}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `If-Match: "<version>"`: the version the stream must still be at. */
export function expectedVersionOf(request: FastifyRequest): bigint | undefined {
  const raw = header(request, 'if-match');
  if (raw === undefined || raw.trim() === '*') return undefined;
  const match = IF_MATCH.exec(raw.trim());
  if (!match) {
    throw new RequestValidationError('If-Match must be a stream version such as "3"', [
      { field: 'If-Match', message: 'must be a quoted non-negative integer such as "3"' },
    ]);
  }
  return BigInt(match[1] ?? match[2]);
}

export function commandContextOf(request: TimelineRequest): CommandContext {
  const correlation = header(request, 'x-correlation-id');
  return {
    correlationId: correlation && CORRELATION_ID.test(correlation) ? correlation : randomUUID(),
    actor: request.actor ?? 'anonymous',
    ids: new IdGenerator(request.idempotencyKey),
    expectedVersion: expectedVersionOf(request),
  };
}

/** The command context of a write request: correlation, actor, ids, `If-Match`. */
export const WriteContext = createParamDecorator((_data: unknown, ctx: ExecutionContext): CommandContext =>
  commandContextOf(ctx.switchToHttp().getRequest<TimelineRequest>()),
);
