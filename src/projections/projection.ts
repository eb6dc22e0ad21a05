import { ReadModelTransaction } from '../database/read-model-database';
import { StoredEvent } from '../event-store/event-store.port';

/** An event as the log holds it, or upgraded to its type's current schema by the upcasters. */
export type EventForm = 'stored' | 'upcast';

/**
 * Turns events into read-model rows. Given each batch of events in position order, none applied
 * before, inside the transaction that stores the checkpoint after the batch's last event.
 */
export interface Projection {
  readonly name: string;
  /**
   * Which form of each event it is given: `upcast` to the current schema, for projections that read
   * the data; `stored`, exactly as the log holds it, for the audit leaf.
   */
  readonly takes: EventForm;
  apply(trx: ReadModelTransaction, events: readonly StoredEvent[]): Promise<void>;
}
