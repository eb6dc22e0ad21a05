import fc from 'fast-check';
import { matchesSearch, parseSearchQuery, searchTerms, storedTerms } from '../../src/domain/knowledge/search-terms';

describe('the terms of a text', () => {
  it.each<[string, string[]]>([
    ['Troops near Kursk', ['troops', 'near', 'kursk']],
    // Marks go in every script: й is и with a breve, ё is е with a diaeresis.
    ['Войска у Курска, Курск, ёж', ['воиска', 'у', 'курска', 'курск', 'еж']],
    ["Pyongyang's troops", ['pyongyang', 's', 'troops']],
    ['Ré, RÉ and re', ['re', 'and']],
    ['Ærø Straße ΣΟΦΙΑ', ['ærø', 'straße', 'σοφια']],
    ['ﬁle İstanbul', ['file', 'istanbul']],
    ['10,000 troops; 2024-10-08', ['10', '000', 'troops', '2024', '08']],
    ['1e5x, 12ab', ['1e5x', '12ab']],
    ['朝鲜 军队', ['朝鲜', '军队']],
    ['  --  !!', []],
  ])('%p → %p', (text, terms) => {
    expect(searchTerms(text)).toEqual(terms);
  });

  it('leaves out terms longer than 100 characters (no q can ask for them)', () => {
    expect(searchTerms(`${'a'.repeat(101)} ${'b'.repeat(100)}`)).toEqual(['b'.repeat(100)]);
  });

  it('stores the terms of several texts once each, joined by spaces; an absent text has none', () => {
    expect(storedTerms(['North Korean troops', undefined, 'troops in Kursk'])).toEqual('north korean troops in kursk');
    expect(storedTerms([undefined])).toEqual('');
  });

  it('gives terms that are their own terms, and none of which holds a space (so storing them loses nothing)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), (a, b) => {
        for (const text of [a, b]) {
          const terms = searchTerms(text);
          expect(searchTerms(terms.join(' '))).toEqual(terms);
          for (const term of terms) expect(parseSearchQuery(term)).toEqual([term]);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('q=', () => {
  it.each<[string, string, string[] | undefined]>([
    ['one term', 'Kursk', ['kursk']],
    ['terms in any case and with accents, repeated', 'KURSK Ré kursk', ['kursk', 're']],
    ['punctuation between terms', "Pyongyang's,troops", ['pyongyang', 's', 'troops']],
    ['10 terms', 'a b c d e f g h i j', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']],
    ['11 terms', 'a b c d e f g h i j k', undefined],
    ['a term of 100 characters', 'x'.repeat(100), ['x'.repeat(100)]],
    ['a term of 101 characters', 'x'.repeat(101), undefined],
    ['500 characters', `${'x'.repeat(95)} `.repeat(5).slice(0, 500), ['x'.repeat(95)]],
    ['501 characters', `${'x'.repeat(95)} `.repeat(5).padEnd(501, '-'), undefined],
    ['no term at all', ' ,.-! ', undefined],
    ['empty', '', undefined],
  ])('%s', (_name, q, expected) => {
    expect(parseSearchQuery(q)).toEqual(expected);
  });

  it.each<[string, string, (string | undefined)[], boolean]>([
    ['a term of the title', 'kursk', ['Troops in Kursk', undefined], true],
    ['terms split between title and quote', 'kursk pyongyang', ['Troops in Kursk', 'sent by Pyongyang'], true],
    ['one term missing', 'kursk moscow', ['Troops in Kursk', 'sent by Pyongyang'], false],
    ['only a part of a term', 'kur', ['Troops in Kursk'], false],
    ['no stemming', 'troop', ['Troops in Kursk'], false],
    ['diacritics and case', 'RE', ['Ré'], true],
    ['another script', 'КУРСК', ['в Курск'], true],
  ])('%s', (_name, q, texts, expected) => {
    expect(matchesSearch(parseSearchQuery(q)!, texts)).toBe(expected);
  });
});
