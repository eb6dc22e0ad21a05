import { ActiveClaim, DevelopmentStatus, estimatesOf, statusOf, summarize } from '../../src/domain/knowledge/status.rules';

const claim = (sourceId: string, stance: ActiveClaim['stance']): ActiveClaim => ({ sourceId, stance });

describe('status rules (SPEC §2), first rule that holds', () => {
  const table: [string, ActiveClaim[], number, DevelopmentStatus][] = [
    ['no active claim and one retracted is retracted', [], 1, 'retracted'],
    ['any confirmation is confirmed, even against denials', [claim('a', 'asserts'), claim('b', 'denies'), claim('c', 'confirms')], 0, 'confirmed'],
    ['a confirmation alone is confirmed', [claim('c', 'confirms')], 3, 'confirmed'],
    ['an assertion and a denial are disputed', [claim('a', 'asserts'), claim('b', 'denies')], 0, 'disputed'],
    ['two sources asserting and one denying are still disputed', [claim('a', 'asserts'), claim('b', 'asserts'), claim('k', 'denies')], 0, 'disputed'],
    ['only denials are denied', [claim('k', 'denies'), claim('j', 'denies')], 1, 'denied'],
    ['assertions from two distinct sources are corroborated', [claim('a', 'asserts'), claim('b', 'asserts')], 0, 'corroborated'],
    ['two assertions from one source are only reported', [claim('a', 'asserts'), claim('a', 'asserts')], 0, 'reported'],
    ['one assertion is reported', [claim('a', 'asserts')], 0, 'reported'],
    ['one active assertion after another was retracted is reported', [claim('a', 'asserts')], 1, 'reported'],
  ];

  it.each(table)('%s', (_name, active, retracted, expected) => {
    expect(statusOf(active, retracted)).toBe(expected);
  });
});

describe('summaries', () => {
  it('lists the sources by stance, sorted and without repeats', () => {
    const summary = summarize([claim('zelensky', 'asserts'), claim('sk-nis', 'asserts'), claim('sk-nis', 'asserts'), claim('kremlin', 'denies'), claim('pentagon', 'confirms')], 0);
    expect(summary.assertedBy).toEqual(['sk-nis', 'zelensky']);
    expect(summary.deniedBy).toEqual(['kremlin']);
    expect(summary.confirmedBy).toEqual(['pentagon']);
  });

  it('gives the range of quantities per unit with the number of claims that gave one', () => {
    const estimates = estimatesOf([
      { sourceId: 'a', stance: 'asserts', quantity: { value: 1500, unit: 'troops', qualifier: 'exact' } },
      { sourceId: 'b', stance: 'asserts', quantity: { value: 12000, unit: 'troops', qualifier: 'at-most' } },
      { sourceId: 'c', stance: 'asserts', quantity: { value: 3000, unit: 'troops', qualifier: 'about' } },
      { sourceId: 'd', stance: 'asserts', quantity: { value: 40, unit: 'ballistic-missiles', qualifier: 'at-least' } },
      { sourceId: 'e', stance: 'confirms' },
    ]);
    expect(estimates).toEqual([
      { unit: 'ballistic-missiles', min: 40, max: 40, claims: 1 },
      { unit: 'troops', min: 1500, max: 12000, claims: 3 },
    ]);
  });
});
