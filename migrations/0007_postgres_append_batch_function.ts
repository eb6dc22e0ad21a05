import { Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * PostgreSQL only: several appends in one transaction (group commit), so concurrent writers of one
 * instance share the lock, the round trip and the commit's flush. Under the same advisory lock as
 * `timeline_append` (0006, kept: an instance not yet upgraded still calls it, and both serialise on
 * that lock), the appends of `p_appends` (`[{stream, expected, now, events: [{eventId, type, data,
 * metadata}]}]`) are decided in array order, each seeing those before it, and each gets its own
 * outcome rows, tagged with its 0-based index: 'found' (its ids are stored: the stored rows, for the
 * retried-append check), 'wrong-version' (one row, `stream_version` the actual version or NULL for
 * no stream) or 'inserted' (position, version and recorded_at of each new event). Only inserted
 * appends take positions, head + 1 on, so a refused one leaves no gap; one notification per batch.
 *
 * Its reads run with `enable_seqscan = off`: while `events` has no statistics (autovacuum may be
 * off) the planner may pick a sequential scan of the whole log for the retried-ids check (0006 does,
 * for its IN-join), and each connection keeps the plan it made while the log was small.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    CREATE FUNCTION timeline_append_batch(p_lock bigint, p_appends jsonb)
    RETURNS TABLE (append_index int, kind text, "position" bigint, stream_id text, stream_version bigint, event_id text, type text, data text, metadata text, recorded_at text)
    LANGUAGE plpgsql
    -- Every read here is a point lookup: never plan a scan of the whole log (see above).
    SET enable_seqscan = off
    AS $fn$
    DECLARE
      v_append jsonb;
      v_index int;
      v_stream text;
      v_expected text;
      v_retried boolean;
      v_version bigint;
      v_head bigint;
      v_first_head bigint;
      v_recorded text;
    BEGIN
      PERFORM pg_advisory_xact_lock(p_lock);
      SELECT e.position, e.recorded_at INTO v_head, v_recorded FROM events e ORDER BY e.position DESC LIMIT 1;
      v_head := coalesce(v_head, 0);
      v_first_head := v_head;
      FOR v_append, v_index IN SELECT x.value, (x.ordinality - 1)::int FROM jsonb_array_elements(p_appends) WITH ORDINALITY x ORDER BY x.ordinality LOOP
        v_stream := v_append->>'stream';
        v_expected := v_append->>'expected';
        -- One statement for the retried-ids check and the stream's version: the common case reads nothing more.
        SELECT (SELECT max(e.stream_version) FROM events e WHERE e.stream_id = v_stream),
               (SELECT count(*) FROM events e WHERE e.event_id = ANY (ARRAY(SELECT x->>'eventId' FROM jsonb_array_elements(v_append->'events') x))) > 0
          INTO v_version, v_retried;
        IF v_retried THEN
          RETURN QUERY SELECT v_index, 'found'::text, e.position, e.stream_id, e.stream_version, e.event_id, e.type, e.data, e.metadata, e.recorded_at
            FROM events e WHERE e.event_id = ANY (ARRAY(SELECT x->>'eventId' FROM jsonb_array_elements(v_append->'events') x));
          CONTINUE;
        END IF;
        IF NOT (v_expected = 'any'
            OR (v_expected = 'no-stream' AND v_version IS NULL)
            OR (v_expected = 'stream-exists' AND v_version IS NOT NULL)
            OR (v_expected ~ '^[0-9]+$' AND v_version IS NOT NULL AND v_version = v_expected::bigint)) THEN
          RETURN QUERY SELECT v_index, 'wrong-version'::text, NULL::bigint, v_stream, v_version, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text;
          CONTINUE;
        END IF;
        -- ISO 8601 UTC instants of one format compare as text: recordedAt never goes backwards.
        v_recorded := greatest(v_recorded, v_append->>'now');
        RETURN QUERY INSERT INTO events AS e (position, stream_id, stream_version, event_id, type, data, metadata, recorded_at)
          SELECT v_head + x.ordinality, v_stream, coalesce(v_version, -1) + x.ordinality,
                 x.value->>'eventId', x.value->>'type', x.value->>'data', x.value->>'metadata', v_recorded
            FROM jsonb_array_elements(v_append->'events') WITH ORDINALITY x
          RETURNING v_index, 'inserted'::text, e.position, NULL::text, e.stream_version, e.event_id, NULL::text, NULL::text, NULL::text, e.recorded_at;
        v_head := v_head + jsonb_array_length(v_append->'events');
      END LOOP;
      IF v_head > v_first_head THEN
        PERFORM pg_notify('timeline_events', v_head::text);
      END IF;
    END
    $fn$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`DROP FUNCTION timeline_append_batch(bigint, jsonb)`.execute(db);
}
