import { ThrottlerModule, ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig } from '../../platform/app-config';
import { TimelineRequest } from '../request-context';

/**
 * 429 past `TIMELINE_RATE_LIMIT` requests a minute, counted per API key (per client address without
 * keys) over all routes together, in this instance's memory. `/health` is never limited
 * (`@SkipThrottle()` on its controller).
 */
export function rateLimitModule(config: Pick<AppConfig, 'rateLimitPerMinute' | 'apiKeys'>) {
  const options: ThrottlerModuleOptions = {
    throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(1, config.rateLimitPerMinute) }],
    // The key guard runs first and names the caller's key; without keys every loopback client is `local`.
    getTracker: (request) => (config.apiKeys.size > 0 ? (request as TimelineRequest).actor : undefined) ?? (request as TimelineRequest).ip,
    // One budget per caller: the library's default key adds the controller and handler, a budget per route.
    generateKey: (_context, tracker, throttler) => `${throttler}:${tracker}`,
    skipIf: () => config.rateLimitPerMinute === 0,
  };
  return ThrottlerModule.forRoot(options);
}
