import { ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig } from '../../platform/app-config';
import { TimelineRequest } from '../request-context';

/**
 * 429 past `TIMELINE_RATE_LIMIT` requests a minute, counted per API key (per client address without
 * keys), in this instance's memory. `/health` is never limited.
 */
export function rateLimitModule(config: Pick<AppConfig, 'rateLimitPerMinute'>) {
  const options: ThrottlerModuleOptions = {
    throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(1, config.rateLimitPerMinute) }],
    getTracker: (request) => (request as TimelineRequest).actor ?? (request as TimelineRequest).ip,
    skipIf: (context) =>
      config.rateLimitPerMinute === 0 || context.switchToHttp().getRequest<TimelineRequest>().url.split('?')[0] === '/health',
  };
  return ThrottlerModule.forRoot(options);
}
