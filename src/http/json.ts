import { WriteResult } from '../application/write-result';
import { StoredEvent, StoredEventText } from '../event-store/event-store.port';

/** Positions and versions are bigint inside and JSON numbers at the edge. */
export function writeResultJson(result: WriteResult) {
  return {
    id: result.id,
    version: Number(result.version),
    position: Number(result.position),
    ...(result.claimId ? { claimId: result.claimId } : {}),
    ...(result.readModelBehind ? { readModelBehind: true } : {}),
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

/**
 * {@link storedEventJson} as JSON text, put together from the stored text without parsing it. Its
 * keys are in RFC 8785 order, so where the stored text is canonical (as the SQL stores write it),
 * this is the event's canonical JSON: its Merkle leaf.
 */
export function storedEventJsonText(event: StoredEventText): string {
  return (
    `{"data":${event.data},"eventId":${JSON.stringify(event.eventId)},"metadata":${event.metadata},` +
    `"position":${event.position},"recordedAt":${JSON.stringify(event.recordedAt)},"streamId":${JSON.stringify(event.streamId)},` +
    `"streamVersion":${event.streamVersion},"type":${JSON.stringify(event.type)}}`
  );
}
