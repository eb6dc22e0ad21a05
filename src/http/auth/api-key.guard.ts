import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual, createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig, Role, isLoopback } from '../../platform/app-config';
import { CLOCK, Clock } from '../../platform/clock';
import { TimelineRequest } from '../request-context';
import { FailedAuthentications } from './failed-authentications';
import { accessOf } from './roles.decorator';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** RFC 6750 §3: the challenge a 401 (and a 403 for a role too weak) carries. */
const REALM = 'Bearer realm="timeline"';

/**
 * `Authorization: Bearer <key>` with a role per key, checked against the roles the matched route
 * declares (`@Roles`), never against the URL text, which the router decodes and normalises on its
 * own. With no keys configured the server answers loopback clients only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: readonly { digest: Buffer; role: Role; name: string }[];
  private readonly failures: FailedAuthentications;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reflector: Reflector,
  ) {
    this.keys = [...config.apiKeys].map(([key, role], i) => ({ digest: digest(key), role, name: `key-${i + 1}:${role}` }));
    this.failures = new FailedAuthentications(config.authFailureLimitPerMinute);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TimelineRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const access = accessOf(this.reflector, context);
    if (access === 'public') return true;
    const route = `${request.method} ${request.routeOptions.url}`;
    if (access.length === 0) throw new HttpException(`${route} declares no roles, so no one may call it`, HttpStatus.FORBIDDEN);
    if (this.keys.length === 0) {
      if (!isLoopback(request.ip)) {
        throw new HttpException('no API keys are configured: only loopback clients are served', HttpStatus.FORBIDDEN);
      }
      request.actor = 'local';
      return true;
    }
    const key = this.keyOf(request, reply);
    if (!access.includes(key.role)) {
      void reply.header('www-authenticate', `${REALM}, error="insufficient_scope"`);
      throw new HttpException(`the ${key.role} role may not ${route}`, HttpStatus.FORBIDDEN);
    }
    request.actor = key.name;
    return true;
  }

  /** The caller's key; an address that failed too often is refused before its key is looked at. */
  private keyOf(request: TimelineRequest, reply: FastifyReply): (typeof this.keys)[number] {
    const now = this.clock.now();
    const retryAfter = this.failures.retryAfterSeconds(request.ip, now);
    if (retryAfter > 0) {
      void reply.header('retry-after', String(retryAfter));
      throw new HttpException('too many failed authentications from this address', HttpStatus.TOO_MANY_REQUESTS);
    }
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^bearer\s+(\S+)$/i.exec(header.trim())?.[1] : undefined;
    const presented = token ? digest(token) : undefined;
    const key = presented && this.keys.find((candidate) => timingSafeEqual(candidate.digest, presented));
    if (key) return key;
    this.failures.record(request.ip, now);
    // No error code when no credentials came at all (RFC 6750 §3.1).
    void reply.header('www-authenticate', header === undefined ? REALM : `${REALM}, error="invalid_token"`);
    throw new HttpException('a valid Authorization: Bearer <api key> header is required', HttpStatus.UNAUTHORIZED);
  }
}
