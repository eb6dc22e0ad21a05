import canonicalize from 'canonicalize';
import { StoredEvent, StoredEventText, parsedEvent } from '../event-store/event-store.port';
import { storedEventJson, storedEventJsonText } from '../event-store/stored-event-json';
import { Hash, leafHash, toHex } from './merkle/merkle-hash';

/** A stored event as `/v1/events` serves it (positions as JSON numbers). */
export type LoggedEventJson = ReturnType<typeof storedEventJson>;

/**
 * The Merkle leaf of an event: the RFC 8785 canonical JSON of the event exactly as `/v1/events`
 * serves it. WARNING: pass the event as stored, never an upcasted one.
 */
export function auditLeaf(event: StoredEvent | LoggedEventJson): string {
  const json = typeof event.position === 'bigint' ? storedEventJson(event as StoredEvent) : event;
  const leaf = canonicalize(json);
  if (leaf === undefined) throw new Error(`event at position ${String(event.position)} has no JSON form`);
  return leaf;
}

export const auditLeafHash = (event: StoredEvent | LoggedEventJson): Hash => leafHash(auditLeaf(event));

/**
 * An event's leaf hash, from its stored text put together as it stands: that is its canonical JSON
 * when the text is canonical, as appends store it. When that does not give the `expected` hash, the
 * event is parsed and canonicalised properly (rows stored before text was canonical hash the same);
 * text that is not JSON at all hashes as it stands.
 */
export function leafHashOf(event: StoredEventText, expected?: string): Hash {
  const asStored = leafHash(storedEventJsonText(event));
  if (expected !== undefined && toHex(asStored) === expected) return asStored;
  let parsed;
  try {
    parsed = parsedEvent(event);
  } catch {
    return asStored;
  }
  return auditLeafHash(parsed);
}
