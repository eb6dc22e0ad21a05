import { sql } from 'kysely';

/** Rows of a bitemporal table current at transaction time `recordedAsOfMs`. */
export function currentAt(table: string, recordedAsOfMs: number) {
  const from = sql.ref(`${table}.sys_from`);
  const to = sql.ref(`${table}.sys_to`);
  return sql<boolean>`(${from} <= ${recordedAsOfMs} and ${to} > ${recordedAsOfMs})`;
}

/**
 * The development named by `table.development_id` is in `topic` at transaction time `recordedAsOfMs`.
 * Written as IN (subquery) so the planner starts from the topic's few rows, not from every development.
 */
export function inTopic(table: string, topic: string, recordedAsOfMs: number) {
  return sql<boolean>`${sql.ref(`${table}.development_id`)} in (select development_topics.development_id from development_topics where development_topics.topic = ${topic} and ${currentAt(
    'development_topics',
    recordedAsOfMs,
  )})`;
}

/** `inTopic`, or true for every row when no topic is asked for. */
export function inTopicIfAny(table: string, topic: string | undefined, recordedAsOfMs: number) {
  return topic === undefined ? sql<boolean>`1 = 1` : inTopic(table, topic, recordedAsOfMs);
}

/**
 * `column` is one of `values`: on PostgreSQL one array parameter, so the statement's text (and its
 * prepared plan) is the same whatever the number of values; on SQLite an IN list.
 */
export function oneOf(column: string, values: readonly string[], postgres: boolean) {
  return postgres ? sql<boolean>`${sql.ref(column)} = any(${sql.val([...values])}::text[])` : sql<boolean>`${sql.ref(column)} in (${sql.join([...values])})`;
}
