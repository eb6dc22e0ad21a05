import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { Observable, from, lastValueFrom } from 'rxjs';
import { RequestValidationError } from '../problem';
import { TimelineRequest } from '../request-context';
import { IdempotencyStore, requestHash } from './idempotency.store';

const KEY = /^[\x21-\x7e]{1,200}$/;

/** `Idempotency-Key` on writes: the same key and body answer the first response again. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<TimelineRequest>();
    const raw = request.headers['idempotency-key'];
    if (request.method !== 'POST' || raw === undefined) return next.handle();
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY.test(key)) {
      throw new RequestValidationError('Idempotency-Key must be 1 to 200 printable ASCII characters', [
        { field: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' },
      ]);
    }
    // Keys are per caller: one caller's key never replays another's response nor derives its ids.
    request.idempotencyKey = createHash('sha256').update(`${request.actor ?? 'anonymous'}\u0000${key}`).digest('hex');
    const reply = http.getResponse<FastifyReply>();
    const hash = requestHash(request.method, request.url.split('?')[0], request.body);
    return from(
      this.store
        .once(request.idempotencyKey, hash, async () => ({ status: 201, body: await lastValueFrom(next.handle()) }))
        .then((response) => {
          if (response.replayed) void reply.header('idempotent-replayed', 'true');
          void reply.status(response.status);
          return response.body;
        }),
    );
  }
}
