import { JetStreamManager, NatsError, RetentionPolicy, StorageType, StreamInfo, nanos } from 'nats';

/** The position of the event a message carries (the body has it too, as a JSON number). */
export const POSITION_HEADER = 'Timeline-Position';
export const STREAM_ID_HEADER = 'Timeline-Stream-Id';

/**
 * How long JetStream remembers a `Nats-Msg-Id`: a publish retried within it (an ack lost with the
 * connection, a relay restarted before it saved its checkpoint) is stored once.
 */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

export type RelayStreamConfig = Readonly<{
  /** JetStream stream name. */
  stream: string;
  /** Events go to `<subjectPrefix>.<type>`. */
  subjectPrefix: string;
}>;

/** `<prefix>.<type>`; a character a subject token cannot hold becomes `_` (event types are plain words). */
export function subjectFor(subjectPrefix: string, type: string): string {
  return `${subjectPrefix}.${type.replace(/[^A-Za-z0-9_-]/g, '_') || '_'}`;
}

/**
 * Creates the stream (file storage, limits retention) or, when it exists, makes sure it takes the
 * relay's subjects and keeps a long enough duplicate window; an operator's other settings (age or
 * size limits, replicas) are kept.
 */
export async function ensureRelayStream(jsm: JetStreamManager, config: RelayStreamConfig): Promise<StreamInfo> {
  const subjects = `${config.subjectPrefix}.>`;
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(config.stream);
  } catch (error) {
    if (apiErrorCode(error) !== STREAM_NOT_FOUND) throw error;
    return jsm.streams.add({
      name: config.stream,
      subjects: [subjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  }
  const takesSubjects = info.config.subjects?.includes(subjects) ?? false;
  const windowLongEnough = (info.config.duplicate_window ?? 0) >= nanos(DUPLICATE_WINDOW_MS);
  if (takesSubjects && windowLongEnough) return info;
  return jsm.streams.update(config.stream, {
    subjects: takesSubjects ? info.config.subjects : [...(info.config.subjects ?? []), subjects],
    duplicate_window: windowLongEnough ? info.config.duplicate_window : nanos(DUPLICATE_WINDOW_MS),
  });
}

export type StreamTail = Readonly<{
  /** The stream's last sequence (0 when it never held a message). */
  lastSequence: number;
  /** The log position of the last message, when the stream still holds it and it came from a relay. */
  position?: bigint;
}>;

/** Where the stream ends: what a relay restarted without a fresh checkpoint resumes after. */
export async function streamTail(jsm: JetStreamManager, stream: string): Promise<StreamTail> {
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0) return { lastSequence: state.last_seq };
  try {
    const last = await jsm.streams.getMessage(stream, { seq: state.last_seq });
    const position = last.header?.get(POSITION_HEADER);
    return { lastSequence: state.last_seq, position: position && /^\d+$/.test(position) ? BigInt(position) : undefined };
  } catch (error) {
    // Deleted since `info`, or by an operator: the checkpoint in the database says where to go on.
    if (apiErrorCode(error) === NO_MESSAGE_FOUND) return { lastSequence: state.last_seq };
    throw error;
  }
}

const STREAM_NOT_FOUND = 10059;
const NO_MESSAGE_FOUND = 10037;

function apiErrorCode(error: unknown): number | undefined {
  return error instanceof NatsError ? error.api_error?.err_code : undefined;
}
