import { Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * PostgreSQL only: one append as one statement, so a write costs one round trip and one commit.
 * Under a transaction-scoped advisory lock (which serialises commit order, and so positions), it
 * returns the batch's original rows when its event ids are stored already (kind 'found'), or
 * checks the expected version, assigns head + 1, inserts, notifies and returns the new rows.
 * Refusals are raised with a tagged message the adapter maps to the port's errors:
 * `timeline:wrong-expected-version:<actual or no-stream>`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    CREATE FUNCTION timeline_append(p_lock bigint, p_stream text, p_expected text, p_now text, p_events jsonb)
    RETURNS TABLE (kind text, "position" bigint, stream_id text, stream_version bigint, event_id text, type text, data text, metadata text, recorded_at text)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_version bigint;
      v_head bigint;
      v_head_recorded text;
      v_recorded text;
      v_found int;
    BEGIN
      PERFORM pg_advisory_xact_lock(p_lock);
      SELECT count(*) INTO v_found FROM events e WHERE e.event_id IN (SELECT x->>'eventId' FROM jsonb_array_elements(p_events) x);
      IF v_found > 0 THEN
        RETURN QUERY SELECT 'found'::text, e.position, e.stream_id, e.stream_version, e.event_id, e.type, e.data, e.metadata, e.recorded_at
          FROM events e WHERE e.event_id IN (SELECT x->>'eventId' FROM jsonb_array_elements(p_events) x);
        RETURN;
      END IF;
      SELECT max(e.stream_version) INTO v_version FROM events e WHERE e.stream_id = p_stream;
      IF NOT (p_expected = 'any'
          OR (p_expected = 'no-stream' AND v_version IS NULL)
          OR (p_expected = 'stream-exists' AND v_version IS NOT NULL)
          OR (p_expected ~ '^[0-9]+$' AND v_version IS NOT NULL AND v_version = p_expected::bigint)) THEN
        RAISE EXCEPTION 'timeline:wrong-expected-version:%', coalesce(v_version::text, 'no-stream');
      END IF;
      SELECT e.position, e.recorded_at INTO v_head, v_head_recorded FROM events e ORDER BY e.position DESC LIMIT 1;
      v_recorded := CASE WHEN v_head_recorded IS NOT NULL AND v_head_recorded > p_now THEN v_head_recorded ELSE p_now END;
      RETURN QUERY INSERT INTO events AS e (position, stream_id, stream_version, event_id, type, data, metadata, recorded_at)
        SELECT coalesce(v_head, 0) + x.ordinality, p_stream, coalesce(v_version, -1) + x.ordinality,
               x.value->>'eventId', x.value->>'type', x.value->>'data', x.value->>'metadata', v_recorded
          FROM jsonb_array_elements(p_events) WITH ORDINALITY x
        RETURNING 'inserted'::text, e.position, e.stream_id, e.stream_version, e.event_id, e.type, e.data, e.metadata, e.recorded_at;
      PERFORM pg_notify('timeline_events', (coalesce(v_head, 0) + jsonb_array_length(p_events))::text);
    END
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`DROP FUNCTION timeline_append(bigint, text, text, text, jsonb)`.execute(db);
}
