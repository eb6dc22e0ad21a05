import { StoredEvent } from '../../event-store/event-store.port';
import { storedEventJson } from '../json';

/** Response headers of an event stream; `X-Accel-Buffering: no` keeps nginx from holding events back. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/** A comment line: clients ignore it, proxies and dead-peer detection see traffic. */
export const KEEP_ALIVE = ': keep-alive\n\n';

/**
 * One stored event as one SSE message: its position is the id (what `Last-Event-ID` resumes
 * after), its type the event name, and `data` the `/v1/events` item as one JSON line (JSON
 * escapes line breaks inside strings, so it never spans lines).
 */
export function eventMessage(event: StoredEvent): string {
  let message = messages.get(event);
  if (message === undefined) {
    message = `id: ${event.position}\nevent: ${oneLine(event.type)}\ndata: ${JSON.stringify(storedEventJson(event))}\n\n`;
    messages.set(event, message);
  }
  return message;
}

/** Subscribers served from one shared read get the same event objects: serialise each once. */
const messages = new WeakMap<StoredEvent, string>();

/** How long a client should wait before reconnecting. */
export const retryMessage = (ms: number): string => `retry: ${ms}\n\n`;

const oneLine = (text: string): string => text.replace(/[\r\n]/g, ' ');
