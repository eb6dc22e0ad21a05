import { Kysely, sql } from 'kysely';

/**
 * For a migration that changes the knowledge read model's shape: empties the tables it names (the
 * ones not recreated empty) and removes the knowledge projection's checkpoint, so the projection
 * rebuilds them from the log (through the upcasters) on the next start. The read model is derived:
 * nothing is lost. Each migration names the tables as they stand at its step.
 */
export async function rebuildKnowledgeFromLog(db: Kysely<unknown>, tables: readonly string[]): Promise<void> {
  for (const table of tables) await sql`delete from ${sql.table(table)}`.execute(db);
  await sql`delete from projection_checkpoints where projection = 'knowledge'`.execute(db);
}
