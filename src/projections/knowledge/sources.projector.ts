import { SourceRegistered } from '../../domain/source/source.events';
import { ReadModelTransaction } from '../../database/read-model-database';

/** `sources`: one row per registered source, never versioned (a source's profile is not corrected). */
export async function projectSource(trx: ReadModelTransaction, event: SourceRegistered, position: number): Promise<void> {
  const { sourceId, ...profile } = event.data;
  await trx
    .insertInto('sources')
    .values({ source_id: sourceId, profile: JSON.stringify(profile), position })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}
