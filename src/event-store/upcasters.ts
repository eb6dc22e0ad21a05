import { DEVELOPMENT_UPCASTERS_FROM_V1 } from '../domain/development/development.upcasters';
import { StoredEvent } from './event-store.port';

/** The schema version an event type was first written at. */
export const FIRST_SCHEMA_VERSION = 1;

/** Turns the data of one schema version of an event type into the next version's. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Upcasters by event type, then by the version they upgrade from. Old events stay stored exactly as
 * written (the audit log hashes them); readers that fold events see the current shape.
 */
export class UpcasterRegistry {
  private readonly steps = new Map<string, Map<number, Upcaster>>();

  /** Adds the step from `fromVersion` to `fromVersion + 1` of `type`; returns its removal. */
  register(type: string, fromVersion: number, upcaster: Upcaster): () => void {
    const steps = this.steps.get(type) ?? new Map<number, Upcaster>();
    if (steps.has(fromVersion)) throw new Error(`${type} already has an upcaster from version ${fromVersion}`);
    steps.set(fromVersion, upcaster);
    this.steps.set(type, steps);
    return () => {
      if (steps.get(fromVersion) === upcaster) steps.delete(fromVersion);
    };
  }

  /** The version `type` is written at today: one past the highest version an upcaster of it upgrades from, the first version when it has none. */
  currentVersion(type: string): number {
    return Math.max(FIRST_SCHEMA_VERSION - 1, ...(this.steps.get(type)?.keys() ?? [])) + 1;
  }

  /** The event with its data in the current schema; the event itself when it is already current. */
  upcast(event: StoredEvent): StoredEvent {
    const steps = this.steps.get(event.type);
    let version = event.metadata.schemaVersion;
    if (!steps?.has(version)) return event;
    let data = event.data;
    for (let step = steps.get(version); step; step = steps.get(version)) {
      data = step(data);
      version += 1;
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
  }
}

/** The registry every reader uses, with the upcasters of every event type that changed shape. */
export const upcasters = new UpcasterRegistry();
for (const [type, upcaster] of Object.entries(DEVELOPMENT_UPCASTERS_FROM_V1)) upcasters.register(type, 1, upcaster);

/** The event with its data in the current schema; the event itself when it is already current. */
export function upcast(event: StoredEvent, registry: UpcasterRegistry = upcasters): StoredEvent {
  return registry.upcast(event);
}
