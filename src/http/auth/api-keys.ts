import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig, Role } from '../../platform/app-config';
import { CLOCK, Clock } from '../../platform/clock';
import { TimelineRequest } from '../request-context';
import { FailedAuthentications } from './failed-authentications';

export type ApiKey = Readonly<{ role: Role; name: string }>;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** RFC 6750 §3: the challenge a 401 (and a 403 for a role too weak) carries. */
export const BEARER_REALM = 'Bearer realm="timeline"';

/** Methods whose requests may carry a body that fastify reads and parses before any guard runs. */
const WITHOUT_BODY = new Set(['GET', 'HEAD']);

/**
 * The configured keys, and who a request is (`Authorization: Bearer <key>`). Authorization, what the
 * key's role may call, is the guard's, on the matched route.
 */
@Injectable()
export class ApiKeys {
  private readonly keys: readonly (ApiKey & { digest: Buffer })[];
  private readonly failures: FailedAuthentications;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(CLOCK) private readonly clock: Clock) {
    this.keys = [...config.apiKeys].map(([key, role], i) => ({ digest: digest(key), role, name: `key-${i + 1}:${role}` }));
    this.failures = new FailedAuthentications(config.authFailureLimitPerMinute);
  }

  get configured(): boolean {
    return this.keys.length > 0;
  }

  /**
   * The caller's key, found once a request. An address that presented wrong keys too often is refused
   * before its key is looked at (429), so the answer tells a guesser nothing; a request that sent no
   * key is refused (401) but is no guess, so it does not count against its address.
   */
  authenticate(request: TimelineRequest, reply: FastifyReply): ApiKey {
    if (request.apiKey) return request.apiKey;
    const header = request.headers.authorization;
    if (header === undefined) {
      void reply.header('www-authenticate', BEARER_REALM);
      throw new HttpException('a valid Authorization: Bearer <api key> header is required', HttpStatus.UNAUTHORIZED);
    }
    const now = this.clock.now();
    const retryAfter = this.failures.retryAfterSeconds(request.ip, now);
    if (retryAfter > 0) {
      void reply.header('retry-after', String(retryAfter));
      throw new HttpException('too many failed authentications from this address', HttpStatus.TOO_MANY_REQUESTS);
    }
    const token = typeof header === 'string' ? /^bearer\s+(\S+)$/i.exec(header.trim())?.[1] : undefined;
    const presented = token ? digest(token) : undefined;
    const key = presented && this.keys.find((candidate) => timingSafeEqual(candidate.digest, presented));
    if (!key) {
      this.failures.record(request.ip, now);
      void reply.header('www-authenticate', `${BEARER_REALM}, error="invalid_token"`);
      throw new HttpException('a valid Authorization: Bearer <api key> header is required', HttpStatus.UNAUTHORIZED);
    }
    request.apiKey = { role: key.role, name: key.name };
    return request.apiKey;
  }

  /**
   * fastify `onRequest` hook: with keys configured, a request that may carry a body is authenticated
   * before the body is read, so no one without a key makes the server read and parse a megabyte
   * (every route that takes a body needs an editor key; bodiless requests wait for the guard, which
   * knows the public routes).
   */
  readonly beforeBody = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (!this.configured || WITHOUT_BODY.has(request.method)) return done();
    try {
      this.authenticate(request as TimelineRequest, reply);
      done();
    } catch (error) {
      done(error as Error);
    }
  };
}
