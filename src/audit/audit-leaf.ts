import canonicalize from 'canonicalize';
import { StoredEvent } from '../event-store/event-store.port';
import { storedEventJson } from '../http/json';
import { Hash, leafHash } from './merkle/merkle-hash';

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
