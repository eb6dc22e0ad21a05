import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RETRY_AFTER_SECONDS, problemFor } from './problem';

const logger = new Logger('Problem');

/** Sends a problem document; logs what became a 500, since that is a bug, never bad input. */
export function sendProblem(reply: FastifyReply, error: unknown): void {
  const problem = problemFor(error);
  if (problem.status >= 500 && problem.status !== 503) logger.error(error instanceof Error ? error.stack : String(error));
  const retryAfter = (error as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
  else if (problem.status === 503) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
}

/** The one exception filter: every error leaves as RFC 9457 problem details. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<FastifyReply>(), error);
  }
}
