import { applyDecorators, Type, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader } from '@nestjs/swagger';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { ApiProblems, ProblemStatus } from './problem.schema';
import { WriteResultSchema } from './log.schemas';

/** What any write may answer besides its own: conflict, body too large or not JSON, key reuse, busy or full store. */
const WRITE_PROBLEMS: readonly ProblemStatus[] = [409, 413, 415, 422, 503, 507];

type WriteOptions = Readonly<{
  /** The JSON body, and examples of it by name. */
  body: Type<unknown>;
  examples?: Record<string, { summary: string; value: object }>;
  /** What the write answers 404 for, when it names something that must exist. */
  notFound?: string;
  conflict: string;
}>;

/**
 * A write: honours `Idempotency-Key` ({@link IdempotencyInterceptor}, on write routes only: Nest runs
 * a route's interceptor chain, and binds an async resource a step, on every request of a route that
 * has one) and documents it, with its body, the 201 WriteResult and its problems.
 */
export function ApiWrite({ body, examples, notFound, conflict }: WriteOptions) {
  const statuses: ProblemStatus[] = notFound ? [404, ...WRITE_PROBLEMS] : [...WRITE_PROBLEMS];
  return applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiBody({ type: body, ...(examples ? { examples } : {}) }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: '1 to 200 printable ASCII characters: the same key with the same body answers the first response again, without a second write',
    }),
    ApiCreatedResponse({ type: WriteResultSchema, description: 'stored; read with `minPosition=<position>` to see it' }),
    ApiProblems(statuses, { ...(notFound ? { 404: notFound } : {}), 409: conflict }),
  );
}
