import { sql } from 'kysely';
import { KnowledgeFilter, TimePoint } from '../../domain/knowledge/knowledge.query';
import { topicKey } from '../../domain/knowledge/topics';

/** Rows of a bitemporal table current at transaction time `recordedAsOfMs`. */
export function currentAt(table: string, recordedAsOfMs: number) {
  const from = sql.ref(`${table}.sys_from`);
  const to = sql.ref(`${table}.sys_to`);
  return sql<boolean>`(${from} <= ${recordedAsOfMs} and ${to} > ${recordedAsOfMs})`;
}

/** Rows of a knowledge-time table covering knowledge time `asOfMs` (`known_to` exclusive). */
export function knownAt(table: string, asOfMs: number) {
  return sql<boolean>`(${sql.ref(`${table}.known_from`)} <= ${asOfMs} and ${sql.ref(`${table}.known_to`)} > ${asOfMs})`;
}

/**
 * The development named by `table.development_id` is in any of `topics` (ignoring case: matched by
 * `topic_key`) as known at `at` (its description's topics then). Written as IN (subquery) so the
 * planner starts from the topics' few rows, not from every development.
 */
export function inTopic(table: string, topics: readonly string[], at: TimePoint) {
  const keys = [...new Set(topics.map(topicKey))];
  return sql<boolean>`${sql.ref(`${table}.development_id`)} in (select development_topics.development_id from development_topics where development_topics.topic_key in (${sql.join(
    keys,
  )}) and ${currentAt('development_topics', at.recordedAsOfMs)} and ${knownAt('development_topics', at.asOfMs)})`;
}

/** `inTopic`, or true for every row when no topic is asked for. */
export function inTopicIfAny(table: string, topics: readonly string[] | undefined, at: TimePoint) {
  return topics === undefined ? sql<boolean>`1 = 1` : inTopic(table, topics, at);
}

/**
 * The development named by `table.development_id` has an active claim by `sourceId` at `at`: a claim
 * version current at recordedAsOf, known by asOf, with no retraction recorded by recordedAsOf and
 * known by asOf. Starts from the source's claims (`claim_versions_by_source`).
 */
export function hasActiveClaimBy(table: string, sourceId: string, at: TimePoint) {
  return sql<boolean>`${sql.ref(`${table}.development_id`)} in (select claim_versions.development_id from claim_versions where claim_versions.source_id = ${sourceId} and ${currentAt(
    'claim_versions',
    at.recordedAsOfMs,
  )} and claim_versions.reported_at_ms <= ${at.asOfMs} and not exists (select 1 from claim_retractions where claim_retractions.claim_id = claim_versions.claim_id and claim_retractions.sys_from <= ${
    at.recordedAsOfMs
  } and claim_retractions.reported_at_ms <= ${at.asOfMs}))`;
}

/**
 * `column` is one of `values`: on PostgreSQL one array parameter, so the statement's text (and its
 * prepared plan) is the same whatever the number of values; on SQLite an IN list.
 */
export function oneOf(column: string, values: readonly string[], postgres: boolean) {
  return postgres ? sql<boolean>`${sql.ref(column)} = any(${sql.val([...values])}::text[])` : sql<boolean>`${sql.ref(column)} in (${sql.join([...values])})`;
}

/**
 * The occurred filter on `description_segments`: `possibly` (the default) keeps a development whose
 * interval overlaps [from, to], `certainly` one whose interval lies wholly inside it. An open side is
 * stored as the extreme value, so it never lies inside a bounded filter; an unknown date never matches.
 */
export function occurredWithin(filter: KnowledgeFilter) {
  const { occurredFromMs: from, occurredToMs: to } = filter;
  const start = sql.ref('description_segments.occurred_start');
  const end = sql.ref('description_segments.occurred_end');
  const certainly = filter.occurredMatch === 'certainly';
  const conditions = [
    ...(from === undefined ? [] : [certainly ? sql`${start} >= ${from}` : sql`${end} >= ${from}`]),
    ...(to === undefined ? [] : [certainly ? sql`${end} <= ${to}` : sql`${start} <= ${to}`]),
  ];
  return conditions.length === 0 ? sql<boolean>`1 = 1` : sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/**
 * One search term (`parseSearchQuery`) of `q`, on `description_segments`: the segment's own title
 * and summary hold it (its row's `description_terms`), or a claim of the development active at `at`
 * quotes it (a claim version current at recordedAsOf, known by asOf, not retracted as known then,
 * as `hasActiveClaimBy`). Both are uncorrelated IN subqueries, so each full-text match runs once.
 */
export function matchesSearchTerm(term: string, at: TimePoint, postgres: boolean) {
  const matches = (table: 'description_terms' | 'claim_terms') =>
    postgres ? sql`${sql.ref(`${table}.lexemes`)} @@ ${tsqueryLexeme(term)}::tsquery` : sql`${sql.table(table)} match ${fts5Phrase(term)}`;
  const inDescription = sql`(description_segments.development_id, description_segments.known_from, description_segments.sys_from) in (select description_terms.development_id, description_terms.known_from, description_terms.sys_from from description_terms where ${matches(
    'description_terms',
  )})`;
  const inQuotes = sql`description_segments.development_id in (select claim_versions.development_id from claim_terms join claim_versions on claim_versions.claim_id = claim_terms.claim_id and claim_versions.position = claim_terms.position where ${matches(
    'claim_terms',
  )} and ${currentAt('claim_versions', at.recordedAsOfMs)} and claim_versions.reported_at_ms <= ${
    at.asOfMs
  } and not exists (select 1 from claim_retractions where claim_retractions.claim_id = claim_versions.claim_id and claim_retractions.sys_from <= ${
    at.recordedAsOfMs
  } and claim_retractions.reported_at_ms <= ${at.asOfMs}))`;
  return sql<boolean>`(${inDescription} or ${inQuotes})`;
}

/** A term as an FTS5 string (one token to the `ascii` tokenizer: terms hold no ASCII punctuation); `"` doubled all the same. */
const fts5Phrase = (term: string): string => `"${term.replace(/"/g, '""')}"`;

/** A term as one quoted tsquery lexeme, taken as is (no parser): `'` doubled and `\` escaped all the same. */
const tsqueryLexeme = (term: string): string => `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
