import { sql } from 'kysely';
import { ReadModelTransaction } from '../../src/database/read-model-database';
import { StoredEvent } from '../../src/event-store/event-store.port';
import { Projection } from '../../src/projections/projection';

/**
 * A projection that notes the positions of each batch it applies and writes one row an attempt;
 * its first `fails` attempts throw after writing (`breaks`: after ending the transaction under it).
 * `rollbacks`: how often it was told a transaction it had applied a batch in was rolled back.
 */
export function aNotingProjection(name: string, fails = 0, breaks = false): Projection & { batches: bigint[][]; rollbacks: number } {
  let attempts = 0;
  const batches: bigint[][] = [];
  return {
    name,
    takes: 'stored',
    batches,
    rollbacks: 0,
    rolledBack() {
      this.rollbacks += 1;
    },
    async apply(trx: ReadModelTransaction, events: readonly StoredEvent[]) {
      attempts += 1;
      await trx.insertInto('projection_checkpoints').values({ projection: `${name} attempt ${attempts}`, position: '0', recorded_at: null, generation: 'g' }).execute();
      if (attempts <= fails) {
        if (breaks) await sql`ROLLBACK`.execute(trx);
        throw new Error(`${name} refused`);
      }
      batches.push(events.map((event) => event.position));
    },
  };
}
