/**
 * Full-text search (`q=` on `/v1/knowledge`): the one tokenizer the read model's projector, the
 * query and the replay all use, so SQLite, PostgreSQL and the replay compare the same terms.
 *
 * A text's terms: compatibility-decomposed (NFKD), lowercased, stripped of combining marks (so
 * "Ré" is "re" and "ﬁ" is "fi"), split at every character that is neither a letter nor a digit of
 * any script (`Pyongyang's` is `pyongyang` and `s`), without repeats. The stores index exactly these
 * terms (joined by spaces) and match each asked term whole: no stemming, no prefixes, no stop words.
 * Neither store's own word splitter decides anything (see `migrations/0012_search_terms.ts`).
 */

/** At most this many terms in one `q`. */
export const MAX_SEARCH_TERMS = 10;
/** A term of `q` has at most this many characters (code points); longer terms of a text are not indexed (no `q` could ask for them). */
export const MAX_TERM_LENGTH = 100;
/** `q` has at most this many characters (UTF-16 code units, as the other query parameters). */
export const MAX_SEARCH_LENGTH = 500;

const NOT_A_TERM_CHARACTER = /[^\p{L}\p{N}]+/u;
const COMBINING_MARK = /\p{M}/gu;

/** NFKD, lowercased, NFKD again (lowercasing can compose: `İ` → `i̇`), with combining marks removed. */
const folded = (text: string): string => text.normalize('NFKD').toLowerCase().normalize('NFKD').replace(COMBINING_MARK, '');

const termLength = (term: string): number => [...term].length;

/** The terms of a text, in order of first appearance, each once; with no term of more than {@link MAX_TERM_LENGTH} characters. */
export function searchTerms(text: string): string[] {
  return [...new Set(folded(text).split(NOT_A_TERM_CHARACTER))].filter((term) => term.length > 0 && termLength(term) <= MAX_TERM_LENGTH);
}

/** The terms of several texts (absent ones have none), each once, joined by spaces: what the read model stores. */
export function storedTerms(texts: Iterable<string | undefined>): string {
  const terms = new Set<string>();
  for (const text of texts) if (text !== undefined) for (const term of searchTerms(text)) terms.add(term);
  return [...terms].join(' ');
}

/**
 * `q` as the terms it asks for, or undefined when it cannot be asked: longer than
 * {@link MAX_SEARCH_LENGTH}, with no term at all (only punctuation or spaces), more than
 * {@link MAX_SEARCH_TERMS} distinct terms, or a term longer than {@link MAX_TERM_LENGTH}.
 */
export function parseSearchQuery(q: string): string[] | undefined {
  if (q.length > MAX_SEARCH_LENGTH) return undefined;
  const terms = [...new Set(folded(q).split(NOT_A_TERM_CHARACTER))].filter((term) => term.length > 0);
  if (terms.length === 0 || terms.length > MAX_SEARCH_TERMS || terms.some((term) => termLength(term) > MAX_TERM_LENGTH)) return undefined;
  return terms;
}

/** Every asked term is among the texts' terms (whole terms; the texts as given, absent ones having none). */
export function matchesSearch(asked: readonly string[], texts: Iterable<string | undefined>): boolean {
  const terms = new Set(storedTerms(texts).split(' '));
  return asked.every((term) => terms.has(term));
}

export const SEARCH_QUERY_MESSAGE = `must hold 1 to ${MAX_SEARCH_TERMS} search terms (letters or digits), each of at most ${MAX_TERM_LENGTH} characters, in at most ${MAX_SEARCH_LENGTH} characters`;
