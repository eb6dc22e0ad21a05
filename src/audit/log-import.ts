import { EventMetadata, EventStore, NewEvent } from '../event-store/event-store.port';
import { Clock } from '../platform/clock';
import { auditLeafHash } from './audit-leaf';
import { ExportEntry, parseEntry } from './export-format';
import { ExportVerification, ExportVerifyOptions, verifyExport } from './export-verifier';
import { Hash, toHex } from './merkle/merkle-hash';
import { MerkleFrontier } from './merkle/merkle-frontier';

/** The clock the target store is opened with: an import sets it to each event's original `recordedAt`. */
export class ImportClock implements Clock {
  at = 0;
  now(): number {
    return this.at;
  }
}

/** The export was refused before anything was stored. */
export class ImportRefusedError extends Error {
  constructor(
    message: string,
    readonly verification?: ExportVerification,
  ) {
    super(message);
    this.name = 'ImportRefusedError';
  }
}

/** At most this many events of one stream go into one append. */
const MAX_APPEND = 500;

/**
 * Loads an export into an empty SQL event store so that every event is stored exactly as it was
 * (same position, stream version, id, data, metadata, recordedAt), hence with the same leaf hashes
 * and tree. First pass: the whole file is verified (signature, leaves, root) and checked to be
 * importable, and its leaf hashes are kept; nothing is stored unless all of it holds. Second pass:
 * each event is checked against the first pass's hash before it is appended and after.
 */
export async function importLog(
  lines: () => AsyncIterable<string>,
  store: EventStore,
  clock: ImportClock,
  options: Pick<ExportVerifyOptions, 'trustedPublicKey'> = {},
): Promise<ExportVerification> {
  if ((await store.headPosition()) !== 0n) throw new ImportRefusedError('the event store is not empty');
  const verified = new LeafHashes();
  const importable = importability();
  const verification = await verifyExport(lines(), {
    ...options,
    checkEntry: (entry, hash) => importable(entry) ?? verified.push(hash),
  });
  if (!verification.ok) {
    const where = verification.problem?.line === undefined ? '' : ` (line ${verification.problem.line}${verification.problem.position === undefined ? '' : `, position ${verification.problem.position}`})`;
    throw new ImportRefusedError(`the export does not verify: ${verification.problem?.reason}${where}; nothing was stored`, verification);
  }

  const frontier = new MerkleFrontier();
  let group: ExportEntry[] = [];
  const append = async () => {
    const first = group[0].event;
    clock.at = Date.parse(first.recordedAt);
    const expected = first.streamVersion === 0 ? 'no-stream' : BigInt(first.streamVersion - 1);
    const result = await store.append(first.streamId, group.map(newEvent), expected);
    for (const stored of result.events) {
      if (!auditLeafHash(stored).equals(verified.at(frontier.size))) {
        throw new Error(`position ${stored.position} was stored differently from the export (is this store SQLite or PostgreSQL?)`);
      }
      frontier.append(verified.at(frontier.size));
    }
    group = [];
  };
  let header = true;
  for await (const line of lines()) {
    if (header) {
      header = false;
      continue;
    }
    const entry = parseEntry(line);
    const index = frontier.size + group.length;
    if (typeof entry === 'string' || !auditLeafHash(entry.event).equals(verified.at(index))) {
      throw new Error(`the file changed since it was verified (leaf ${index}); the store holds its first ${frontier.size} events`);
    }
    const previous = group[group.length - 1]?.event;
    if (previous && (previous.streamId !== entry.event.streamId || previous.recordedAt !== entry.event.recordedAt || group.length >= MAX_APPEND)) await append();
    group.push(entry);
  }
  if (group.length > 0) await append();
  if (toHex(frontier.root()) !== verification.treeHead?.rootHash) throw new Error('the imported log does not have the signed root hash');
  return verification;
}

const newEvent = ({ event }: ExportEntry): NewEvent => ({
  eventId: event.eventId,
  type: event.type,
  data: event.data,
  metadata: event.metadata as EventMetadata,
});

/**
 * Checks that a SQL store will give each event back exactly: positions 1, 2, 3, ... (an empty
 * store assigns them so), stream versions 0, 1, 2, ... per stream, and `recordedAt` in the
 * store's own format and never going back.
 */
function importability(): (entry: ExportEntry) => string | undefined {
  const streams = new Map<string, number>();
  let lastRecordedAt = 0;
  return ({ leafIndex, event }) => {
    if (event.position !== leafIndex + 1) return `position ${event.position} would be stored as ${leafIndex + 1}`;
    const version = (streams.get(event.streamId) ?? -1) + 1;
    if (event.streamVersion !== version) return `stream ${event.streamId} would get version ${version}, not ${event.streamVersion}`;
    const recordedAt = Date.parse(event.recordedAt);
    if (!Number.isFinite(recordedAt) || new Date(recordedAt).toISOString() !== event.recordedAt || recordedAt < lastRecordedAt) {
      return `recordedAt '${event.recordedAt}' cannot be stored again as it is`;
    }
    streams.set(event.streamId, version);
    lastRecordedAt = recordedAt;
    return undefined;
  };
}

/** Leaf hashes of the first pass, 32 bytes each in one growing buffer. */
class LeafHashes {
  private buffer = Buffer.alloc(32 * 1024);
  private count = 0;

  push(hash: Hash): undefined {
    if ((this.count + 1) * 32 > this.buffer.length) {
      const grown = Buffer.alloc(this.buffer.length * 2);
      this.buffer.copy(grown);
      this.buffer = grown;
    }
    hash.copy(this.buffer, this.count * 32);
    this.count++;
    return undefined;
  }

  at(index: number): Buffer {
    if (index >= this.count) throw new Error(`the file has more events than were verified (leaf ${index})`);
    return this.buffer.subarray(index * 32, index * 32 + 32);
  }
}
