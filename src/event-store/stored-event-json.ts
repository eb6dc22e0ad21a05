import { StoredEvent, StoredEventText } from './event-store.port';

/*
 * WARNING: this is the audit log's leaf format. Each event's Merkle leaf is the canonical JSON of
 * this shape, so changing a key or a type here (or, in the text form, the order of anything) changes
 * every leaf hash, and every tree head, proof and export signed before. `/v1/events`, SSE and the NATS relay serve the
 * same bytes, so a client can hash what it was sent.
 */

/** A stored event exactly as the log holds it, in the shape `/v1/events` serves (positions as JSON numbers). */
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
