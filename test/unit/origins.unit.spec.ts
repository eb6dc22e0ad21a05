import fc from 'fast-check';
import { ClaimLink, originsOf } from '../../src/domain/knowledge/origins';

const claim = (claimId: string, sourceId: string, derivedFrom?: string): ClaimLink =>
  derivedFrom === undefined ? { claimId, sourceId } : { claimId, sourceId, derivedFrom };

// kr-nis and kr-mnd share an affiliation; every other source is its own origin.
const AFFILIATIONS: Record<string, string> = { 'kr-nis': 'kr-government', 'kr-mnd': 'kr-government' };
const affiliationOf = (sourceId: string) => AFFILIATIONS[sourceId] ?? sourceId;

describe('origins of claims (SPEC §2)', () => {
  const table: [string, ClaimLink[], Record<string, string>][] = [
    ['a claim without derivedFrom has its source as origin', [claim('c1', 'bbc')], { c1: 'bbc' }],
    [
      'sources sharing an affiliation share one origin',
      [claim('c1', 'kr-nis'), claim('c2', 'kr-mnd')],
      { c1: 'kr-government', c2: 'kr-government' },
    ],
    [
      'a repetition takes the origin of the claim it repeats, not its own source',
      [claim('c1', 'kr-nis'), claim('c2', 'reuters', 'c1')],
      { c1: 'kr-government', c2: 'kr-government' },
    ],
    [
      'a chain of three is followed to its end',
      [claim('c3', 'the-independent', 'c2'), claim('c2', 'bbc', 'c1'), claim('c1', 'ru-mod')],
      { c1: 'ru-mod', c2: 'ru-mod', c3: 'ru-mod' },
    ],
    [
      'a repetition of a claim not yet known is its own origin',
      [claim('c2', 'reuters', 'c1')],
      { c2: 'reuters' },
    ],
    [
      'a chain stops at the last known claim before an unknown one',
      [claim('c3', 'bbc', 'c2'), claim('c2', 'reuters', 'c1')],
      { c2: 'reuters', c3: 'reuters' },
    ],
    [
      'a claim derived from itself is its own origin',
      [claim('c1', 'bbc', 'c1')],
      { c1: 'bbc' },
    ],
    [
      'a cycle closes at its least claimId, whose source is the origin of the whole cycle',
      [claim('c3', 'reuters', 'c1'), claim('c1', 'ru-mod', 'c2'), claim('c2', 'bbc', 'c3')],
      { c1: 'ru-mod', c2: 'ru-mod', c3: 'ru-mod' },
    ],
    [
      'a claim leading into a cycle takes the cycle origin',
      [claim('c9', 'afp', 'c5'), claim('c5', 'bbc', 'c7'), claim('c7', 'reuters', 'c5')],
      { c5: 'bbc', c7: 'bbc', c9: 'bbc' },
    ],
  ];

  it.each(table)('%s', (_name, known, expected) => {
    expect(Object.fromEntries(originsOf(known, affiliationOf))).toEqual(expected);
  });

  it('gives no origin for a claim not in known', () => {
    expect(originsOf([claim('c2', 'reuters', 'c1')], affiliationOf).has('c1')).toBe(false);
  });
});

const shuffled = <T>(items: T[]) => fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });
const sorted = (origins: Map<string, string>) => [...origins].sort(([a], [b]) => (a < b ? -1 : 1));

describe('origins, whatever the graph', () => {
  const IDS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
  const SOURCES = ['kr-nis', 'kr-mnd', 'bbc', 'reuters'];
  /** Claims with distinct ids, each maybe derived from any id (known or not, itself included). */
  const knownClaims = fc
    .uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: IDS.length })
    .chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc.record({ source: fc.constantFrom(...SOURCES), from: fc.option(fc.constantFrom(...IDS, 'c0')) }).map(
            ({ source, from }) => claim(id, source, from ?? undefined),
          ),
        ),
      ),
    );

  it('does not depend on the order of the claims', () => {
    fc.assert(
      fc.property(knownClaims.chain((known) => fc.tuple(fc.constant(known), shuffled(known))), ([known, reordered]) => {
        expect(sorted(originsOf(reordered, affiliationOf))).toEqual(sorted(originsOf(known, affiliationOf)));
      }),
    );
  });

  it('gives every known claim an origin, and one unlike that of the claim it repeats only as its own source\'s', () => {
    fc.assert(
      fc.property(knownClaims, (known) => {
        const origins = originsOf(known, affiliationOf);
        const ids = new Set(known.map((c) => c.claimId));
        expect([...origins.keys()].sort()).toEqual([...ids].sort());
        // Chain ends, and the claim where a cycle closes, are their own origin: their source's affiliation.
        const roots = known.filter(
          (c) => c.derivedFrom === undefined || !ids.has(c.derivedFrom) || origins.get(c.derivedFrom) !== origins.get(c.claimId),
        );
        for (const root of roots) expect(origins.get(root.claimId)).toBe(affiliationOf(root.sourceId));
      }),
    );
  });
});
