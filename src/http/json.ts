import { WriteResult } from '../application/write-result';
import { StoredEvent } from '../event-store/event-store.port';

/** Positions and versions are bigint inside and JSON numbers at the edge. */
export function writeResultJson(result: WriteResult) {
  return {
    id: result.id,
    version: Number(result.version),
    position: Number(result.position),
    ...(result.claimId ? { claimId: result.claimId } : {}),
  };
}

/** A stored event exactly as the log holds it, in the shape `/v1/events` serves. */
export function storedEventJson(event: StoredEvent) {
  return {
    position: Number(event.position),
    streamId: event.streamId,
    streamVersion: Number(event.streamVersion),
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  };
}
