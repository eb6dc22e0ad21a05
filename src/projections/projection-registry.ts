import { AuditProjection } from './audit.projection';
import { KnowledgeProjection } from './knowledge/knowledge.projection';
import { Projection } from './projection';

/** Every projection, by the key the CLI asks for: the server runs them all, a CLI command the ones it reads. */
export const PROJECTIONS = {
  knowledge: () => new KnowledgeProjection(),
  audit: () => new AuditProjection(),
} as const satisfies Record<string, () => Projection>;

export type ProjectionKey = keyof typeof PROJECTIONS;

const ALL_KEYS = Object.keys(PROJECTIONS) as ProjectionKey[];

/** Fresh instances of the projections named (all by default), in registry order. */
export function createProjections(keys: readonly ProjectionKey[] = ALL_KEYS): Projection[] {
  return ALL_KEYS.filter((key) => keys.includes(key)).map((key) => PROJECTIONS[key]());
}
