import { Kysely } from 'kysely';

/**
 * How far each relay has published the log. Apart from `projection_checkpoints` on purpose: a relay
 * owns no read-model rows, and rebuilding the read models must never rewind it (it would publish
 * the whole log again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('relay_checkpoints')
    .addColumn('relay', 'text', (col) => col.primaryKey())
    .addColumn('position', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('relay_checkpoints').execute();
}
