import { StoredEvent } from '../event-store/event-store.port';
import { storedEventJson } from '../event-store/stored-event-json';
import { LoggedEventJson } from './audit-leaf';
import { SignedTreeHead, isSigned, parseTreeHead } from './tree-head';

/**
 * An export is NDJSON: a header line `{format, version, treeHead}` with the signed tree head, then
 * one line per leaf, in order: `{leafIndex, leafHash, event}`, `event` exactly as `/v1/events`
 * serves it and `leafHash` the stored tree's hash of it.
 */
export const EXPORT_FORMAT = 'timeline-audit-export';
export const EXPORT_VERSION = 1;

export type ExportHeader = Readonly<{ format: typeof EXPORT_FORMAT; version: typeof EXPORT_VERSION; treeHead: SignedTreeHead }>;
export type ExportEntry = Readonly<{ leafIndex: number; leafHash: string; event: LoggedEventJson }>;

export const headerLine = (treeHead: SignedTreeHead): string =>
  JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, treeHead } satisfies ExportHeader);

export const entryLine = (leafIndex: number, leafHash: string, event: StoredEvent): string =>
  JSON.stringify({ leafIndex, leafHash, event: storedEventJson(event) } satisfies ExportEntry);

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The header, or why the line is not one. */
export function parseHeader(line: string): ExportHeader | string {
  const value = parseJson(line);
  if (!value || value.format !== EXPORT_FORMAT) return `not a ${EXPORT_FORMAT} header`;
  if (value.version !== EXPORT_VERSION) return `unsupported export version ${String(value.version)}`;
  const head = parseTreeHead(value.treeHead);
  if (!head || !isSigned(head)) return 'the header has no signed tree head';
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, treeHead: head };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** An entry, or why the line is not one. The event is checked for shape only; its hash proves the rest. */
export function parseEntry(line: string): ExportEntry | string {
  const value = parseJson(line);
  if (!value) return 'not a JSON object';
  const { leafIndex, leafHash, event } = value;
  if (!isCount(leafIndex)) return 'leafIndex is not a non-negative integer';
  if (typeof leafHash !== 'string' || !/^[0-9a-f]{64}$/.test(leafHash)) return 'leafHash is not a lowercase hex SHA-256';
  if (
    !isObject(event) ||
    !isCount(event.position) ||
    typeof event.streamId !== 'string' ||
    !isCount(event.streamVersion) ||
    typeof event.eventId !== 'string' ||
    typeof event.type !== 'string' ||
    !isObject(event.data) ||
    !isObject(event.metadata) ||
    typeof event.recordedAt !== 'string'
  ) {
    return 'event is not a stored event';
  }
  return value as ExportEntry;
}
