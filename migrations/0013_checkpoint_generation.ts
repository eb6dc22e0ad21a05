import { Kysely, sql } from 'kysely';

/** Read-model tables whose rows carry a transaction time (`sys_from`), and those that also end in one (`sys_to`). */
const STARTING = [
  'sources',
  'source_ratings',
  'development_versions',
  'development_revisions',
  'description_segments',
  'development_topics',
  'description_terms',
  'claim_versions',
  'claim_retractions',
  'status_segments',
];
const ENDING = ['development_versions', 'development_revisions', 'description_segments', 'development_topics', 'claim_versions', 'status_segments'];
/** `sys_to` of a version that has not ended (src/database/schema.ts). */
const FOREVER = Number.MAX_SAFE_INTEGER;

/**
 * What `/v1/knowledge`'s page cache needs of a projection's checkpoint row:
 * - `generation`: a value of its own each time the row is created (the runner writes a random one),
 *   so a read model emptied and rebuilt to the same position is told apart from the one before it.
 * - `recorded_at`: the latest transaction time applied. Before this step the runner kept the last
 *   event's, which is less when a store's clock stepped back (KurrentDB); for the knowledge
 *   projection it is raised here to the latest time its rows hold.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').addColumn('generation', 'text').execute();
  let latestMs = 0;
  for (const table of STARTING) {
    const { rows } = await sql<{ latest: number | string | null }>`select max(sys_from) as latest from ${sql.table(table)}`.execute(db);
    latestMs = Math.max(latestMs, Number(rows[0]?.latest ?? 0));
  }
  for (const table of ENDING) {
    const { rows } = await sql<{ latest: number | string | null }>`select max(sys_to) as latest from ${sql.table(table)} where sys_to < ${FOREVER}`.execute(db);
    latestMs = Math.max(latestMs, Number(rows[0]?.latest ?? 0));
  }
  const { rows } = await sql<{ recorded_at: string | null }>`select recorded_at from projection_checkpoints where projection = 'knowledge'`.execute(db);
  const stored = rows[0]?.recorded_at;
  if (rows.length > 0 && latestMs > (stored ? Date.parse(stored) : 0)) {
    await sql`update projection_checkpoints set recorded_at = ${new Date(latestMs).toISOString()} where projection = 'knowledge'`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('projection_checkpoints').dropColumn('generation').execute();
}
