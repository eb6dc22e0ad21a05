import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { FieldError } from '../../domain/shared/domain.errors';
import { Problem } from '../problem';

@ApiSchema({ name: 'FieldError', description: 'One input field that was refused, and why.' })
export class FieldErrorSchema implements FieldError {
  @ApiProperty({ example: 'claim.reportedAt' })
  field!: string;

  @ApiProperty({ example: 'must be YYYY-MM-DD, YYYY-MM, YYYY or an ISO 8601 instant' })
  message!: string;
}

/** The one error body (RFC 9457), as `problemFor` in ../problem.ts writes it. */
@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem details: every error the API answers, with `application/problem+json`.' })
export class ProblemSchema implements Problem {
  @ApiProperty({ description: 'stable URI of the kind of problem', example: 'https://timeline.dev/problems/invalid-input' })
  type!: string;

  @ApiProperty({ example: 'Invalid input' })
  title!: string;

  @ApiProperty({ description: 'the HTTP status, repeated', example: 400 })
  status!: number;

  @ApiProperty({ description: 'what went wrong with this request', example: 'claim.reportedAt must be a date or an instant' })
  detail!: string;

  @ApiPropertyOptional({ type: () => [FieldErrorSchema], description: 'the refused fields, when the input was at fault' })
  errors?: FieldErrorSchema[];
}

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503 | 507;

/** When each status is answered, and an example body of it. */
const PROBLEMS: Record<ProblemStatus, { description: string; example: Problem }> = {
  400: {
    description: 'Bad input: a parameter or body field of the wrong shape, an unknown field, malformed percent-encoding',
    example: { type: 'https://timeline.dev/problems/invalid-input', title: 'Invalid input', status: 400, detail: 'asOf must be a date or an instant', errors: [{ field: 'asOf', message: 'must be YYYY-MM-DD, YYYY-MM, YYYY or an ISO 8601 instant' }] },
  },
  401: {
    description: 'No valid `Authorization: Bearer <api key>` header (only when API keys are configured); `WWW-Authenticate`',
    example: { type: 'https://timeline.dev/problems/http-401', title: 'Unauthorized', status: 401, detail: 'a valid Authorization: Bearer <api key> header is required' },
  },
  403: {
    description: "The key's role may not call this route (or, with no keys configured, the client is not on loopback)",
    example: { type: 'https://timeline.dev/problems/http-403', title: 'Forbidden', status: 403, detail: 'the reader role may not POST /v1/developments' },
  },
  404: {
    description: 'No such development, source, claim or log position (or, `not-known`, not known as of asOf)',
    example: { type: 'https://timeline.dev/problems/not-found', title: 'Not found', status: 404, detail: 'development north-korean-troops-in-russia not found' },
  },
  409: {
    description: 'Conflicts with what is recorded: the id exists, the claim is retracted, a concurrent write won',
    example: { type: 'https://timeline.dev/problems/already-exists', title: 'Already exists', status: 409, detail: 'development north-korean-troops-in-russia already exists' },
  },
  413: {
    description: 'The body is larger than 1 MiB',
    example: { type: 'https://timeline.dev/problems/http-413', title: 'Payload too large', status: 413, detail: 'Request body is too large' },
  },
  415: {
    description: 'The body is not `application/json`',
    example: { type: 'https://timeline.dev/problems/http-415', title: 'Unsupported media type', status: 415, detail: 'Unsupported Media Type: text/plain' },
  },
  422: {
    description: 'This `Idempotency-Key` was used with a different request',
    example: { type: 'https://timeline.dev/problems/idempotency-key-reused', title: 'Idempotency key reused', status: 422, detail: 'this Idempotency-Key was used with a different request' },
  },
  429: {
    description: 'Too many requests (or failed authentications) from this client; `Retry-After`',
    example: { type: 'https://timeline.dev/problems/http-429', title: 'Too many requests', status: 429, detail: 'ThrottlerException: Too Many Requests' },
  },
  503: {
    description: 'The store is busy, or the read model has not reached `minPosition` yet; `Retry-After`',
    example: { type: 'https://timeline.dev/problems/projection-lag', title: 'Read model not caught up', status: 503, detail: 'projections have not reached position 42 yet; retry shortly' },
  },
  507: {
    description: 'The store has no space left; nothing was stored',
    example: { type: 'https://timeline.dev/problems/insufficient-storage', title: 'Insufficient storage', status: 507, detail: 'the store has no space left; nothing was stored' },
  },
};

/**
 * Documents error answers as `application/problem+json` with the one Problem schema; `descriptions`
 * replaces the general wording where a route answers a status for its own reasons.
 */
export function ApiProblems(statuses: readonly ProblemStatus[], descriptions: Partial<Record<ProblemStatus, string>> = {}) {
  return applyDecorators(
    ApiExtraModels(ProblemSchema),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: descriptions[status] ?? PROBLEMS[status].description,
        content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: getSchemaPath(ProblemSchema) }, example: PROBLEMS[status].example } },
      }),
    ),
  );
}

/** What any keyed route may answer before its handler runs: bad request, no key, weak role, rate limit. */
export const KEYED_ROUTE_PROBLEMS: readonly ProblemStatus[] = [400, 401, 403, 429];

