import { HttpException } from '@nestjs/common';
import { DomainError, FieldError, InvalidInputError, NotFoundError } from '../domain/shared/domain.errors';
import { ProjectionLagError } from '../projections/projection-gate';
import { ReadWorkerLostError } from '../projections/knowledge/knowledge-read-workers';
import { EventIdConflictError, WrongExpectedVersionError } from '../event-store/event-store.port';
import { storageFailureOf } from '../database/storage-errors';
import { LiveStreamLimitError } from './sse/live-stream-limits';

/** RFC 9457 problem details. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
};

/** Bad input caught at the HTTP edge (shape, types, unknown fields, headers). */
export class RequestValidationError extends Error {
  readonly code = 'VALIDATION';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'RequestValidationError';
  }
}

/** An `Idempotency-Key` came back with a different request. */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('this Idempotency-Key was used with a different request');
    this.name = 'IdempotencyKeyReusedError';
  }
}

const problem = (status: number, slug: string, title: string, detail: string, errors?: FieldError[]): Problem => ({
  type: `https://timeline.dev/problems/${slug}`,
  title,
  status,
  detail,
  ...(errors ? { errors } : {}),
});

/** Error codes of the domain and the application, mapped to HTTP in this one place. */
const BY_CODE: Record<string, { status: number; slug: string; title: string }> = {
  INVALID_INPUT: { status: 400, slug: 'invalid-input', title: 'Invalid input' },
  VALIDATION: { status: 400, slug: 'invalid-input', title: 'Invalid input' },
  NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not found' },
  NOT_KNOWN: { status: 404, slug: 'not-known', title: 'Not known as of asOf' },
  ALREADY_EXISTS: { status: 409, slug: 'already-exists', title: 'Already exists' },
  STATE_CONFLICT: { status: 409, slug: 'state-conflict', title: 'Conflict with the current state' },
  VERSION_CONFLICT: { status: 409, slug: 'version-conflict', title: 'Version conflict' },
  EVENT_ID_CONFLICT: { status: 409, slug: 'event-id-conflict', title: 'Event id conflict' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, slug: 'idempotency-key-reused', title: 'Idempotency key reused' },
  PROJECTION_LAG: { status: 503, slug: 'projection-lag', title: 'Read model not caught up' },
  READ_WORKER_LOST: { status: 503, slug: 'read-worker-lost', title: 'Read worker stopped' },
  LIVE_STREAMS_PER_CLIENT: { status: 429, slug: 'too-many-live-streams', title: 'Too many live streams for this client' },
  LIVE_STREAMS_TOTAL: { status: 503, slug: 'live-streams-full', title: 'Too many live streams on this server' },
};

const FASTIFY_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  408: 'Request timeout',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  429: 'Too many requests',
  431: 'Request header fields too large',
};

type Coded = Error & { code: string; errors?: readonly FieldError[] };

function isCoded(error: unknown): error is Coded {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

/** The problem document for any error; unknown errors become a 500 without internals. */
export function problemFor(error: unknown): Problem {
  if (
    isCoded(error) &&
    (error instanceof DomainError ||
      error instanceof RequestValidationError ||
      error instanceof IdempotencyKeyReusedError ||
      error instanceof ProjectionLagError ||
      error instanceof ReadWorkerLostError ||
      error instanceof LiveStreamLimitError ||
      error instanceof WrongExpectedVersionError ||
      error instanceof EventIdConflictError)
  ) {
    const mapped = BY_CODE[error.code];
    let errors = error instanceof InvalidInputError || error instanceof RequestValidationError ? [...error.errors] : undefined;
    if (error instanceof NotFoundError && error.field) errors = [{ field: error.field, message: error.message }];
    return problem(mapped.status, mapped.slug, mapped.title, error.message, errors);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const title = FASTIFY_TITLES[status] ?? (status < 500 ? 'Request error' : 'Server error');
    return problem(status, status === 404 ? 'not-found' : `http-${status}`, title, status < 500 ? error.message : 'unexpected error');
  }
  // Errors fastify raises before a handler runs (JSON parse, body limit, media type) carry a 4xx statusCode.
  const statusCode = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const title = FASTIFY_TITLES[statusCode] ?? 'Request error';
    const detail = error instanceof Error ? error.message : title;
    return problem(statusCode, `http-${statusCode}`, title, detail);
  }
  switch (storageFailureOf(error)) {
    case 'busy':
      return problem(503, 'store-busy', 'Store busy', 'the store is busy with another writer; retry shortly');
    // Only an append reaches here for space: later writes (projections, idempotency keys) never fail a request.
    case 'full':
      return problem(507, 'insufficient-storage', 'Insufficient storage', 'the store has no space left; nothing was stored');
  }
  return problem(500, 'internal', 'Internal server error', 'an unexpected error occurred');
}

/** Seconds a client should wait before retrying a 503 (a busy store, projections behind). */
export const RETRY_AFTER_SECONDS = 1;
