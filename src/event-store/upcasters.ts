import { StoredEvent } from './event-store.port';

/** The schema version every event type is written at today. */
export const CURRENT_SCHEMA_VERSION = 1;

/** Turns the data of one schema version of an event type into the next version's. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Upcasters by event type, then by the version they upgrade from. Old events stay stored exactly as
 * written (the audit log hashes them); readers that fold events see the current shape.
 */
const UPCASTERS: Readonly<Record<string, Readonly<Record<number, Upcaster>>>> = {};

/** The event with its data in the current schema; the event itself when it is already current. */
export function upcast(event: StoredEvent, upcasters = UPCASTERS): StoredEvent {
  const steps = upcasters[event.type];
  let version = event.metadata.schemaVersion;
  if (!steps || !steps[version]) return event;
  let data = event.data;
  while (steps[version]) {
    data = steps[version](data);
    version += 1;
  }
  return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
}
