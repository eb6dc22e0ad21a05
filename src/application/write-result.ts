/**
 * What every write answers: the stream's id and version, and the log position of its last event.
 * `readModelBehind`: the write is stored, but the projections had not applied it in time (reads
 * with `minPosition=<position>` wait for it).
 */
export type WriteResult = Readonly<{ id: string; version: bigint; position: bigint; claimId?: string; revisionId?: string; replayed?: boolean; readModelBehind?: boolean }>;
