import { ReadModelTransaction } from '../database/read-model-database';
import { StoredEvent } from '../event-store/event-store.port';

/** An event as the log holds it, or upgraded to its type's current schema by the upcasters. */
export type EventForm = 'stored' | 'upcast';

/**
 * A state of a projection's rows: its checkpoint's position and generation (a value of its own each
 * time the checkpoint row is created, so rows emptied and rebuilt to the same position are told apart).
 */
export type CheckpointPoint = Readonly<{ generation: string | null; position: bigint }>;

/** Whether two points are one state of the rows: nothing was applied, emptied or rebuilt between them. */
export const samePoint = (a: CheckpointPoint, b: CheckpointPoint): boolean => a.generation === b.generation && a.position === b.position;

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
  /**
   * `from`: where its checkpoint stood when the batch began (read in `trx`, its row locked); the
   * batch moves it to the last event's position, same generation, when the transaction commits.
   */
  apply(trx: ReadModelTransaction, events: readonly StoredEvent[], from: CheckpointPoint): Promise<void>;
  /**
   * The transaction of the last batch it applied was rolled back after `apply` returned (the
   * embedded store's append transaction, which is then written again, each event's recordedAt taken
   * anew): what it keeps in memory of that batch describes rows that are gone.
   */
  rolledBack?(): void;
}
