import { ReadModelTransaction } from '../database/read-model-database';
import { StoredEvent } from '../event-store/event-store.port';

/**
 * Turns events into read-model rows. Given each batch of events in position order, none applied
 * before, inside the transaction that stores the checkpoint after the batch's last event.
 */
export interface Projection {
  readonly name: string;
  apply(trx: ReadModelTransaction, events: readonly StoredEvent[]): Promise<void>;
}
