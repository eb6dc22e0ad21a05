import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Role } from '../../platform/app-config';

const ROLES = 'timeline:roles';
const PUBLIC = 'timeline:public';

/** The roles that may call a route (on a handler, or on a controller for all its handlers). */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES, roles);

/** A route anyone may call, with or without a key (`/health` only). */
export const Public = () => SetMetadata(PUBLIC, true);

/**
 * Who may call the route a request matched: the handler's `@Roles`, else its controller's; `'public'`
 * for `@Public()`; none when the route declares nothing, so it is refused (deny by default).
 */
export function accessOf(reflector: Reflector, context: ExecutionContext): readonly Role[] | 'public' {
  const targets = [context.getHandler(), context.getClass()];
  if (reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return 'public';
  return reflector.getAllAndOverride<readonly Role[] | undefined>(ROLES, targets) ?? [];
}
