import { KeptClaims, MAX_KEPT_CLAIMS, MAX_KEPT_ORIGINS, RecordedClaimsCache } from '../../src/projections/knowledge/recorded-claims.cache';

const claim = (id: string, position: number) => ({ claim_id: id, source_id: 'a', fields: JSON.stringify({ sourceId: 'a', stance: 'asserts', reportedAt: '2024-10-17' }), position });
const recorded = (...claims: ReturnType<typeof claim>[]): KeptClaims => ({ firstClaimId: claims[0].claim_id, claims, retractions: [] });
const at = (position: number, generation: string | null = 'g') => ({ generation, position: BigInt(position) });
const ids = (kept: KeptClaims | undefined) => kept?.claims.map((row) => `${row.claim_id}@${row.position}`);

describe('RecordedClaimsCache: what the knowledge projection keeps of a development between batches', () => {
  it('keeps a development for the next batch when it starts where the last batch ended', () => {
    const cache = new RecordedClaimsCache();
    cache.begin(at(0));
    cache.keep('d1', recorded(claim('c1', 1)));
    cache.end(at(1));

    cache.begin(at(1));

    expect(ids(cache.get('d1'))).toEqual(['c1@1']);
  });

  it('drops everything when a batch that started where the last one ended did not end (it failed, its rows undone) and is tried again', () => {
    const cache = new RecordedClaimsCache();
    cache.begin(at(0));
    cache.keep('d1', recorded(claim('c1', 1)));
    cache.end(at(1));
    cache.begin(at(1));
    cache.claimVersion('d1', claim('c2', 2));

    cache.begin(at(1));

    expect(cache.get('d1')).toBeUndefined();
  });

  it('drops everything when the transaction of a batch that ended was rolled back, even if the next batch starts where it ended (another process applied the same positions)', () => {
    const cache = new RecordedClaimsCache();
    cache.begin(at(0));
    cache.keep('d1', recorded(claim('c1', 1)));
    cache.end(at(1));

    cache.rolledBack();
    cache.begin(at(1));

    expect(cache.get('d1')).toBeUndefined();
  });

  it.each([
    ['the read model moved on without it (another instance applied events)', at(2)],
    ['the read model was emptied and rebuilt to the same position (a new generation)', at(1, 'h')],
  ])('drops everything when %s', (_, next) => {
    const cache = new RecordedClaimsCache();
    cache.begin(at(0));
    cache.keep('d1', recorded(claim('c1', 1)));
    cache.end(at(1));

    cache.begin(next);

    expect(cache.get('d1')).toBeUndefined();
  });

  it("follows the rows the projection writes: a claim's new version replaces its old one, last; a retraction is added", () => {
    const cache = new RecordedClaimsCache();
    cache.begin(at(0));
    cache.keep('d1', recorded(claim('c1', 1), claim('c2', 2)));

    cache.claimVersion('d1', claim('c1', 3));
    cache.claimVersion('d1', claim('c3', 4));
    cache.retraction('d1', { claim_id: 'c2', reported_at: '2024-10-18', position: 5 });
    cache.claimVersion('d2', claim('c9', 6));

    const kept = cache.get('d1')!;
    expect(ids(kept)).toEqual(['c2@2', 'c1@3', 'c3@4']);
    expect(kept.retractions).toEqual([{ claim_id: 'c2', reported_at: '2024-10-18', position: 5 }]);
    expect(kept.firstClaimId).toBe('c1');
    // A development not kept stays unkept: its rows are read whole when it is next derived.
    expect(cache.get('d2')).toBeUndefined();
  });

  it(`keeps at most ${MAX_KEPT_CLAIMS} claims, dropping the developments used least recently`, () => {
    const cache = new RecordedClaimsCache();
    cache.begin(at(0));
    const thousand = (d: number) => recorded(...Array.from({ length: 1000 }, (_, i) => claim(`d${d}-c${i}`, d * 1000 + i)));
    const full = MAX_KEPT_CLAIMS / 1000;
    for (let d = 0; d < full; d++) cache.keep(`d${d}`, thousand(d));
    // Used again: now the most recent.
    expect(cache.get('d0')).toBeDefined();

    cache.keep(`d${full}`, thousand(full));

    expect(cache.get('d1')).toBeUndefined();
    expect(cache.get('d0')).toBeDefined();
    expect(cache.get('d2')).toBeDefined();
    expect(cache.get(`d${full}`)).toBeDefined();
  });

  describe("sources' origins", () => {
    const keptOrigin = () => {
      const cache = new RecordedClaimsCache();
      cache.begin(at(0));
      cache.keepOrigin('kr-nis', 'kr-government');
      cache.end(at(1));
      return cache;
    };

    it('keeps them for the next batch when it starts where the last batch ended', () => {
      const cache = keptOrigin();

      cache.begin(at(1));

      expect(cache.originOf('kr-nis')).toBe('kr-government');
      expect(cache.originOf('bbc')).toBeUndefined();
    });

    it.each([
      ['the transaction of the batch was rolled back', (cache: RecordedClaimsCache) => (cache.rolledBack(), cache.begin(at(1)))],
      ['a batch that started where the last one ended failed and is tried again', (cache: RecordedClaimsCache) => (cache.begin(at(1)), cache.begin(at(1)))],
      ['the read model moved on without it', (cache: RecordedClaimsCache) => cache.begin(at(2))],
      ['the read model was emptied and rebuilt (a new generation)', (cache: RecordedClaimsCache) => cache.begin(at(1, 'h'))],
    ])('drops them when %s: the source rows they were read from may be gone', (_, next) => {
      const cache = keptOrigin();

      next(cache);

      expect(cache.originOf('kr-nis')).toBeUndefined();
    });

    it(`keeps at most ${MAX_KEPT_ORIGINS}, then starts again`, () => {
      const cache = new RecordedClaimsCache();
      cache.begin(at(0));
      for (let i = 0; i < MAX_KEPT_ORIGINS; i++) cache.keepOrigin(`s${i}`, `o${i}`);
      expect(cache.originOf(`s${MAX_KEPT_ORIGINS - 1}`)).toBe(`o${MAX_KEPT_ORIGINS - 1}`);

      cache.keepOrigin('one-more', 'o');

      expect(cache.originOf('s0')).toBeUndefined();
      expect(cache.originOf('one-more')).toBe('o');
    });
  });
});
