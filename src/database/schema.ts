import { Generated } from 'kysely';

/** `sys_to`/`known_to` of a row that is still current, or open-ended: the largest exact integer. */
export const FOREVER = Number.MAX_SAFE_INTEGER;

/** Epoch-ms and position columns: numbers from SQLite, strings from PostgreSQL's bigint. */
type Big = number | string | bigint;

export type ReadModelSchema = {
  /**
   * `recorded_at`: the latest transaction time among the events applied (not always the last one's);
   * `generation`: random, given when the row is created (so anew after a rebuild from 0); null on rows older than it.
   */
  projection_checkpoints: { projection: string; position: Big; recorded_at: string | null; generation: string | null };
  sources: { source_id: string; profile: string; position: Big; sys_from: Big };
  source_ratings: {
    source_id: string;
    position: Big;
    sys_from: Big;
    reported_at: string;
    reported_at_ms: Big;
    reliability: string;
    reason: string;
  };
  /** The description as first recorded, over transaction time (its corrections). */
  development_versions: { development_id: string; position: Big; sys_from: Big; sys_to: Big; fields: string };
  /** Each revision over transaction time (its corrections); `recorded_order`: the position it was first recorded at. */
  development_revisions: {
    revision_id: string;
    position: Big;
    development_id: string;
    sys_from: Big;
    sys_to: Big;
    reported_at: string;
    reported_at_ms: Big;
    recorded_order: Big;
    changes: string;
  };
  /** The description over knowledge time, as recorded over transaction time. */
  description_segments: {
    development_id: string;
    known_from: Big;
    known_to: Big;
    sys_from: Big;
    sys_to: Big;
    fields: string;
    occurred_sort: Big;
    occurred_start: Big | null;
    occurred_end: Big | null;
  };
  /** The topics of each description segment: `topic` as given, `topic_key` as matched (`topicKey`). */
  development_topics: { topic: string; topic_key: string; development_id: string; known_from: Big; known_to: Big; sys_from: Big; sys_to: Big };
  claim_versions: {
    claim_id: string;
    position: Big;
    development_id: string;
    source_id: string;
    sys_from: Big;
    sys_to: Big;
    reported_at_ms: Big;
    fields: string;
  };
  /**
   * The search terms (`storedTerms`, space-separated) of each description segment row's title and
   * summary (FTS5 on SQLite; on PostgreSQL with a generated `lexemes` tsvector, not declared here).
   */
  description_terms: { development_id: string; known_from: Big; sys_from: Big; terms: string };
  /** The search terms of each claim version row's quote (none: no row). */
  claim_terms: { claim_id: string; position: Big; terms: string };
  claim_retractions: {
    claim_id: string;
    development_id: string;
    position: Big;
    sys_from: Big;
    reported_at: string;
    reported_at_ms: Big;
    reason: string;
  };
  status_segments: {
    development_id: string;
    known_from: Big;
    known_to: Big;
    sys_from: Big;
    sys_to: Big;
    status: string;
    previous_status: string | null;
    summary: string;
    known_from_text: string;
    first_reported_at: string;
    last_reported_at: string;
    cause_position: Big;
  };
  idempotency_keys: { key: string; request_hash: string; status: number; response: string; created_at: string };
  audit_leaves: { leaf_index: Big; position: Big; hash: string };
  audit_nodes: { level: number; node_index: Big; hash: string };
  events: {
    position: Generated<Big>;
    stream_id: string;
    stream_version: Big;
    event_id: string;
    type: string;
    data: string;
    metadata: string;
    recorded_at: string;
  };
};
