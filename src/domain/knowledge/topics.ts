/**
 * Topics are stored as given and matched ignoring case: by this key, computed here (not by the
 * database's `lower()`, whose Unicode handling differs between SQLite and PostgreSQL) so every
 * store and the replay compare the same text.
 */
export const topicKey = (topic: string): string => topic.toLowerCase();

/** At most this many topics in one `topic=a,b` filter. */
export const MAX_TOPICS_ASKED = 20;

/**
 * `topic=a,b` as the topics it asks for: split at commas, each trimmed; undefined when an item is
 * empty or longer than 200 characters, or there are more than {@link MAX_TOPICS_ASKED}. A topic
 * that itself holds a comma cannot be asked for by name.
 */
export function parseTopicList(text: string): string[] | undefined {
  const topics = text.split(',').map((topic) => topic.trim());
  if (topics.length > MAX_TOPICS_ASKED || topics.some((topic) => topic.length === 0 || topic.length > 200)) return undefined;
  return topics;
}

/** A description is in any of the asked topics (ignoring case); an empty list asks for nothing. */
export function inAnyTopic(topics: readonly string[] | undefined, asked: readonly string[]): boolean {
  const keys = new Set(asked.map(topicKey));
  return (topics ?? []).some((topic) => keys.has(topicKey(topic)));
}

/** One topic known then and the number of developments in it. */
export type TopicCount = Readonly<{ topic: string; developments: number }>;

/** How many developments use one spelling of a topic. */
export type TopicSpelling = Readonly<{ topic: string; developments: number }>;

/**
 * Topics by key (code-unit order), each shown in the spelling most developments use (ties: the
 * least in code-unit order) and counted over all its spellings: `developmentsByKey` holds the
 * number of distinct developments per key (a development spelling one topic two ways counts once).
 */
export function topicCounts(spellings: readonly TopicSpelling[], developmentsByKey: ReadonlyMap<string, number>): TopicCount[] {
  const shown = new Map<string, TopicSpelling>();
  for (const spelling of spellings) {
    const key = topicKey(spelling.topic);
    const best = shown.get(key);
    if (!best || spelling.developments > best.developments || (spelling.developments === best.developments && spelling.topic < best.topic)) {
      shown.set(key, spelling);
    }
  }
  return [...shown]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, spelling]) => ({ topic: spelling.topic, developments: developmentsByKey.get(key) ?? spelling.developments }));
}

/** {@link topicCounts} over the developments in view: each with the topics of its description then. */
export function topicCountsOf(developments: Iterable<Readonly<{ id: string; topics: readonly string[] }>>): TopicCount[] {
  const bySpelling = new Map<string, Set<string>>();
  const byKey = new Map<string, Set<string>>();
  const add = (index: Map<string, Set<string>>, key: string, id: string) => index.set(key, (index.get(key) ?? new Set()).add(id));
  for (const { id, topics } of developments) {
    for (const topic of topics) {
      add(bySpelling, topic, id);
      add(byKey, topicKey(topic), id);
    }
  }
  return topicCounts(
    [...bySpelling].map(([topic, ids]) => ({ topic, developments: ids.size })),
    new Map([...byKey].map(([key, ids]) => [key, ids.size])),
  );
}
