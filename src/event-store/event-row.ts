import { StoredEvent, StoredEventText, parsedEvent } from './event-store.port';

/** A row of the SQL stores' `events` table (migrations/0001): bigints as bigint (SQLite) or text (pg). */
export type EventRow = {
  position: bigint | string;
  stream_id: string;
  stream_version: bigint | string;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
};

export function storedEventTextOf(row: EventRow): StoredEventText {
  return {
    position: BigInt(row.position),
    streamId: row.stream_id,
    streamVersion: BigInt(row.stream_version),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

export const storedEventOf = (row: EventRow): StoredEvent => parsedEvent(storedEventTextOf(row));
