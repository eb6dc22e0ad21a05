/** What every write answers: the stream's id and version, and the log position of its last event. */
export type WriteResult = Readonly<{ id: string; version: bigint; position: bigint; claimId?: string; replayed?: boolean }>;
