import { Pool } from 'pg';
import { AppendResult, ExpectedVersion, NewEvent, StoredEvent, WrongExpectedVersionError, appendedEvent, retriedAppend } from '../event-store.port';
import { EventRow, storedEventOf } from '../event-row';
import { BatchOutcome } from '../group-commit';

/** An append waiting for its transaction, its events already serialised. */
export type QueuedAppend = Readonly<{
  streamId: string;
  events: readonly NewEvent[];
  expected: ExpectedVersion;
  /** The store's clock when `append` was called. */
  now: string;
  written: readonly { eventId: string; type: string; data: string; metadata: string }[];
}>;

/**
 * A row of timeline_append_batch, an outcome of the append at `append_index` (see migration 0007):
 * 'found' rows are whole stored events; the others carry only what the outcome needs.
 */
type OutcomeRow = { [column in keyof EventRow]: string | null } & {
  append_index: number;
  kind: 'found' | 'wrong-version' | 'inserted';
};

/**
 * Runs `appends` in one call of timeline_append_batch (one statement, one transaction, one commit):
 * each append's outcome, in order, and the log's head when any of them inserted.
 */
export async function appendInOneTransaction(
  pool: Pool,
  lock: number,
  appends: readonly QueuedAppend[],
): Promise<{ outcomes: BatchOutcome<AppendResult>[]; head?: bigint }> {
  const { rows } = await pool.query<OutcomeRow>({
    // Named: each connection parses and plans it once.
    name: 'timeline_append_batch',
    text: 'SELECT * FROM timeline_append_batch($1, $2::jsonb)',
    values: [
      lock,
      JSON.stringify(
        appends.map((append) => ({
          stream: append.streamId,
          expected: typeof append.expected === 'bigint' ? append.expected.toString() : append.expected,
          now: append.now,
          events: append.written,
        })),
      ),
    ],
  });
  const byAppend = appends.map((): OutcomeRow[] => []);
  let head: bigint | undefined;
  for (const row of rows) {
    byAppend[row.append_index].push(row);
    if (row.kind === 'inserted' && (head === undefined || BigInt(row.position!) > head)) head = BigInt(row.position!);
  }
  return { outcomes: appends.map((append, i) => outcomeOf(append, byAppend[i])), head };
}

/** One append's outcome from its rows: the original result of a retry, a version conflict, or what it stored. */
function outcomeOf(append: QueuedAppend, rows: readonly OutcomeRow[]): BatchOutcome<AppendResult> {
  const kind = rows[0]?.kind;
  try {
    if (kind === 'found') {
      const found = new Map(rows.map((row) => [row.event_id!, storedEventOf(row as EventRow)]));
      return { ok: true, value: retriedAppend(append.streamId, append.events, append.events.map((event) => found.get(event.eventId)))! };
    }
    if (kind === 'wrong-version') {
      const actual = rows[0].stream_version === null ? 'no-stream' : BigInt(rows[0].stream_version);
      return { ok: false, error: new WrongExpectedVersionError(append.streamId, append.expected, actual) };
    }
    if (kind !== 'inserted' || rows.length !== append.events.length) throw new Error(`timeline_append_batch: unexpected outcome for stream '${append.streamId}'`);
  } catch (error) {
    return { ok: false, error };
  }
  const stored = new Map(rows.map((row) => [row.event_id!, row]));
  const events = append.written.map((event): StoredEvent => {
    const row = stored.get(event.eventId)!;
    return appendedEvent({
      ...event,
      position: BigInt(row.position!),
      streamId: append.streamId,
      streamVersion: BigInt(row.stream_version!),
      recordedAt: row.recorded_at!,
    });
  });
  const last = events[events.length - 1];
  return { ok: true, value: { streamVersion: last.streamVersion, position: last.position, events } };
}
