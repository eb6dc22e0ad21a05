import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual, createHash } from 'node:crypto';
import { APP_CONFIG, AppConfig, Role } from '../../platform/app-config';
import { TimelineRequest } from '../request-context';

/** Which roles may do what: reads for everyone, writes for editors, the audit for auditors. */
export function rolesFor(method: string, path: string): readonly Role[] {
  if (path.startsWith('/v1/audit')) return ['auditor', 'admin'];
  if (method === 'GET' || method === 'HEAD') return ['reader', 'editor', 'auditor', 'admin'];
  return ['editor', 'admin'];
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/**
 * `Authorization: Bearer <key>` with a role per key. With no keys configured the server answers
 * loopback clients only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: readonly { digest: Buffer; role: Role; name: string }[];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.keys = [...config.apiKeys].map(([key, role], i) => ({ digest: digest(key), role, name: `key-${i + 1}:${role}` }));
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TimelineRequest>();
    const path = request.url.split('?')[0];
    if (path === '/health') return true;
    if (this.keys.length === 0) {
      if (!isLoopback(request.ip)) {
        throw new HttpException('no API keys are configured: only loopback clients are served', HttpStatus.FORBIDDEN);
      }
      request.actor = 'local';
      return true;
    }
    const header = request.headers.authorization;
    const token = typeof header === 'string' ? /^bearer\s+(\S+)$/i.exec(header.trim())?.[1] : undefined;
    const presented = token ? digest(token) : undefined;
    const key = presented && this.keys.find((candidate) => timingSafeEqual(candidate.digest, presented));
    if (!key) throw new HttpException('a valid Authorization: Bearer <api key> header is required', HttpStatus.UNAUTHORIZED);
    if (!rolesFor(request.method, path).includes(key.role)) {
      throw new HttpException(`the ${key.role} role may not ${request.method} ${path}`, HttpStatus.FORBIDDEN);
    }
    request.actor = key.name;
    return true;
  }
}
