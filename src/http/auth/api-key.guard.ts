import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { isLoopback } from '../../platform/app-config';
import { TimelineRequest } from '../request-context';
import { ApiKeys, BEARER_REALM } from './api-keys';
import { accessOf } from './roles.decorator';

/**
 * Checks the caller's key against the roles the matched route declares (`@Roles`), never against the
 * URL text, which the router decodes and normalises on its own. With no keys configured the server
 * answers loopback clients only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeys,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TimelineRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const access = accessOf(this.reflector, context);
    if (access === 'public') return true;
    const route = `${request.method} ${request.routeOptions.url}`;
    if (access.length === 0) throw new HttpException(`${route} declares no roles, so no one may call it`, HttpStatus.FORBIDDEN);
    if (!this.keys.configured) {
      if (!isLoopback(request.ip)) {
        throw new HttpException('no API keys are configured: only loopback clients are served', HttpStatus.FORBIDDEN);
      }
      request.actor = 'local';
      return true;
    }
    const key = this.keys.authenticate(request, reply);
    if (!access.includes(key.role)) {
      void reply.header('www-authenticate', `${BEARER_REALM}, error="insufficient_scope"`);
      throw new HttpException(`the ${key.role} role may not ${route}`, HttpStatus.FORBIDDEN);
    }
    request.actor = key.name;
    return true;
  }
}
