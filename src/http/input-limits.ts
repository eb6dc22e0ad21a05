import type { FastifyInstance } from 'fastify';
import { RequestValidationError } from './problem';

/** The deepest nesting of objects and arrays a body or query may have (ours need 3). */
export const MAX_INPUT_DEPTH = 64;

/** What a parsed body, query or path holds that no route may take, found without recursion. */
export function inputViolationOf(value: unknown, maxDepth: number): 'too-deep' | 'nul' | undefined {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item === 'string' && item.includes('\u0000')) return 'nul';
    if (item === null || typeof item !== 'object') continue;
    if (depth > maxDepth) return 'too-deep';
    for (const [key, child] of Object.entries(item)) {
      if (key.includes('\u0000')) return 'nul';
      pending.push([child, depth + 1]);
    }
  }
  return undefined;
}

const MESSAGES = {
  'too-deep': `must not nest objects and arrays more than ${MAX_INPUT_DEPTH} levels deep`,
  // PostgreSQL's text and jsonb cannot hold U+0000: stored, it would stop the projections for good.
  nul: 'must not contain the character U+0000',
};

/**
 * Refuses, right after parsing and before any guard, interceptor or pipe walks them recursively,
 * bodies and queries nested too deep (thousands of levels overflow the stack: a 500) and any body,
 * query or path text holding U+0000.
 */
export function enforceInputLimits(instance: FastifyInstance): void {
  instance.addHook('preValidation', (request, _reply, done) => {
    for (const part of ['body', 'query', 'params'] as const) {
      const violation = inputViolationOf(request[part], MAX_INPUT_DEPTH);
      if (!violation) continue;
      return done(new RequestValidationError(`the ${part} ${MESSAGES[violation]}`, [{ field: '', message: MESSAGES[violation] }]));
    }
    done();
  });
}
