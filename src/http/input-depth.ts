import type { FastifyInstance } from 'fastify';
import { RequestValidationError } from './problem';

/** The deepest nesting of objects and arrays a body or query may have (ours need 3). */
export const MAX_INPUT_DEPTH = 64;

/** Whether a parsed JSON value nests objects and arrays deeper than `max`, found without recursion. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/**
 * Refuses deep bodies and queries right after parsing, before any guard, interceptor or pipe walks
 * them recursively (thousands of levels overflow the stack: a 500).
 */
export function refuseDeepInput(instance: FastifyInstance): void {
  instance.addHook('preValidation', (request, _reply, done) => {
    const deep = (['body', 'query'] as const).find((part) => nestsDeeperThan(request[part], MAX_INPUT_DEPTH));
    if (!deep) return done();
    const message = `must not nest objects and arrays more than ${MAX_INPUT_DEPTH} levels deep`;
    done(new RequestValidationError(`the ${deep} ${message}`, [{ field: '', message }]));
  });
}
