import { ReadModelTransaction } from '../database/read-model-database';
import { StoredEvent } from '../event-store/event-store.port';

/** Turns events into read-model rows. Applied in position order, inside the checkpoint's transaction. */
export interface Projection {
  readonly name: string;
  apply(trx: ReadModelTransaction, event: StoredEvent): Promise<void>;
}
