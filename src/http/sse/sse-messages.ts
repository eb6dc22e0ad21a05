import { StoredEventText } from '../../event-store/event-store.port';
import { storedEventJsonText } from '../../event-store/stored-event-json';

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
 * after), its type the event name, and `data` the `/v1/events` item as one JSON line, made from
 * the stored text unparsed. Valid JSON has line breaks only as whitespace (inside strings they are
 * escaped), so turning them into spaces keeps a row stored with some on one line, its value unchanged.
 */
export const eventMessage = (event: StoredEventText): string =>
  `id: ${event.position}\nevent: ${oneLine(event.type)}\ndata: ${oneLine(storedEventJsonText(event))}\n\n`;

/** How long a client should wait before reconnecting. */
export const retryMessage = (ms: number): string => `retry: ${ms}\n\n`;

/** Scanning for line breaks first is much cheaper than a replace that finds none, the usual case. */
const oneLine = (text: string): string => (text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]/g, ' ') : text);
