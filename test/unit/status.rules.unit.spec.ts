import fc from 'fast-check';
import {
  ActiveClaim,
  DEVELOPMENT_STATUSES,
  DevelopmentStatus,
  Estimate,
  estimatesOf,
  statusOf,
  summarize,
} from '../../src/domain/knowledge/status.rules';
import { Likelihood, Quantity, Stance } from '../../src/domain/development/development.events';

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 9, 1);
let sequence = 0;

/** An active claim; by default its own source is its origin, reported on day 0. */
const aClaim = (overrides: Partial<ActiveClaim> & Pick<ActiveClaim, 'sourceId' | 'stance'>, day = 0): ActiveClaim => ({
  claimId: `claim-${String(++sequence).padStart(4, '0')}`,
  origin: overrides.sourceId,
  reportedAt: new Date(BASE + day * DAY).toISOString().slice(0, 10),
  reportedAtMs: BASE + day * DAY,
  ...overrides,
});
const says = (sourceId: string, stance: Stance, origin = sourceId) => aClaim({ sourceId, stance, origin });
const troops = (value: number, qualifier: 'exact' | 'about' | 'at-least' | 'at-most' = 'exact'): Quantity => ({
  measure: 'deployed',
  unit: 'troops',
  value,
  qualifier,
});

describe('status rules v2 (SPEC §2), first rule that holds', () => {
  const table: [string, ActiveClaim[], number, DevelopmentStatus][] = [
    ['1. no active claim and one retracted is retracted', [], 1, 'retracted'],
    ['no claim at all is unconfirmed', [], 0, 'unconfirmed'],
    ['2. a confirmation alone is confirmed, whatever was retracted', [says('pentagon', 'confirms')], 3, 'confirmed'],
    ['2. a confirmation beats a denial and an assertion', [says('a', 'asserts'), says('kremlin', 'denies'), says('pentagon', 'confirms')], 0, 'confirmed'],
    ['3. an assertion and a denial are disputed', [says('a', 'asserts'), says('kremlin', 'denies')], 0, 'disputed'],
    ['3. assertions from two origins against a denial are still disputed', [says('a', 'asserts'), says('b', 'asserts'), says('kremlin', 'denies')], 0, 'disputed'],
    ['4. only denials are denied', [says('kremlin', 'denies'), says('ru-mod', 'denies')], 1, 'denied'],
    ['4. a denial beats an assessment and a no-evidence', [says('kremlin', 'denies'), says('cia', 'assesses'), says('pentagon', 'no-evidence')], 0, 'denied'],
    ['5. assertions from two origins are corroborated', [says('a', 'asserts'), says('b', 'asserts')], 0, 'corroborated'],
    ['5. two claims of one source (a relay names its speaker) are only reported', [says('ru-mod', 'asserts'), says('ru-mod', 'asserts')], 0, 'reported'],
    ['5. two sources sharing an affiliation are only reported', [says('kr-nis', 'asserts', 'kr-government'), says('kr-mnd', 'asserts', 'kr-government')], 0, 'reported'],
    ['5. a repetition takes its original origin and does not corroborate', [says('ru-mod', 'asserts'), says('reuters', 'asserts', 'ru-mod')], 0, 'reported'],
    ['5. an assessment from another origin does not corroborate an assertion', [says('a', 'asserts'), says('cia', 'assesses')], 0, 'reported'],
    ['6. one assertion is reported', [says('a', 'asserts')], 0, 'reported'],
    ['6. one active assertion after another was retracted is reported', [says('a', 'asserts')], 1, 'reported'],
    ['6. an assertion beats a no-evidence', [says('a', 'asserts'), says('pentagon', 'no-evidence')], 0, 'reported'],
    ['7. an assessment with a no-evidence is assessed', [says('cia', 'assesses'), says('pentagon', 'no-evidence')], 0, 'assessed'],
    ['8. only no-evidence is unconfirmed', [says('pentagon', 'no-evidence')], 0, 'unconfirmed'],
    ['8. only no-evidence is unconfirmed, not retracted, when others were retracted', [says('pentagon', 'no-evidence')], 2, 'unconfirmed'],
  ];

  it.each(table)('%s', (_name, active, retracted, expected) => {
    expect(statusOf(active, retracted)).toBe(expected);
  });

  it('every status of the list is reached by a row', () => {
    expect(new Set(table.map((row) => row[3]))).toEqual(new Set(DEVELOPMENT_STATUSES));
  });
});

describe('summaries v2', () => {
  it('lists the sources by stance, sorted and without repeats', () => {
    const summary = summarize(
      [
        says('zelensky', 'asserts'),
        says('kr-nis', 'asserts'),
        says('kr-nis', 'asserts'),
        says('kremlin', 'denies'),
        says('pentagon', 'confirms'),
        says('white-house', 'no-evidence'),
        says('nato', 'no-evidence'),
        says('nato', 'no-evidence'),
      ],
      0,
    );
    expect(summary).toMatchObject({
      status: 'confirmed',
      assertedBy: ['kr-nis', 'zelensky'],
      confirmedBy: ['pentagon'],
      deniedBy: ['kremlin'],
      noEvidenceBy: ['nato', 'white-house'],
      assessedBy: [],
      estimates: [],
    });
  });

  it("gives one assessment per source, the likelihood of its latest active one, sorted by source", () => {
    const assesses = (sourceId: string, likelihood: Likelihood, day: number, claimId?: string) =>
      aClaim({ sourceId, stance: 'assesses', likelihood, ...(claimId ? { claimId } : {}) }, day);
    const summary = summarize(
      [
        assesses('uk-mod', 'likely', 0),
        assesses('uk-mod', 'very-likely', 2),
        assesses('cia', 'almost-certain', 1),
        assesses('uk-mod', 'unlikely', 1),
        // Same knowledge time: the greater claimId is the later one.
        assesses('dia', 'roughly-even-chance', 3, 'a-claim'),
        assesses('dia', 'likely', 3, 'z-claim'),
      ],
      0,
    );
    expect(summary.status).toBe('assessed');
    expect(summary.assessedBy).toEqual([
      { sourceId: 'cia', likelihood: 'almost-certain' },
      { sourceId: 'dia', likelihood: 'likely' },
      { sourceId: 'uk-mod', likelihood: 'very-likely' },
    ]);
  });
});

describe('estimates v2: per (measure, unit), each source’s latest stated figure', () => {
  const figure = (sourceId: string, stance: Stance, quantity: Quantity, day = 0, claimId?: string) =>
    aClaim({ sourceId, stance, quantity, ...(claimId ? { claimId } : {}) }, day);

  /** An estimate with its figures reduced to the sources they come from, in order. */
  type EstimateFrom = Pick<Estimate, 'measure' | 'unit' | 'low' | 'high'> & { from: string[] };
  const table: [string, ActiveClaim[], EstimateFrom[]][] = [
    ['no quantity gives no estimate', [says('a', 'asserts')], []],
    [
      'point figures of two sources give their least and greatest numbers',
      [figure('b', 'asserts', troops(12000, 'at-most')), figure('a', 'asserts', troops(1500, 'at-least'))],
      [{ measure: 'deployed', unit: 'troops', low: 1500, high: 12000, from: ['a', 'b'] }],
    ],
    [
      'a range states both its ends',
      [
        figure('a', 'asserts', { measure: 'deployed', unit: 'troops', min: 1500, max: 12000, qualifier: 'range' }),
        figure('b', 'assesses', troops(3000, 'about')),
      ],
      [{ measure: 'deployed', unit: 'troops', low: 1500, high: 12000, from: ['a', 'b'] }],
    ],
    [
      'a later figure of the same source supersedes its earlier one, even a greater one',
      [figure('a', 'asserts', troops(12000), 0), figure('a', 'asserts', troops(3000), 1), figure('b', 'confirms', troops(5000))],
      [{ measure: 'deployed', unit: 'troops', low: 3000, high: 5000, from: ['a', 'b'] }],
    ],
    [
      'at the same knowledge time the greater claimId supersedes',
      [figure('a', 'asserts', troops(12000), 0, 'claim-a'), figure('a', 'asserts', troops(3000), 0, 'claim-z')],
      [{ measure: 'deployed', unit: 'troops', low: 3000, high: 3000, from: ['a'] }],
    ],
    [
      'a later figure of the same source and measure in another unit supersedes the earlier unit',
      [
        figure('a', 'asserts', troops(12000), 0),
        figure('a', 'asserts', { measure: 'deployed', unit: 'brigades', value: 4, qualifier: 'about' }, 1),
      ],
      [{ measure: 'deployed', unit: 'brigades', low: 4, high: 4, from: ['a'] }],
    ],
    [
      'figures of different measures are never merged, even in one unit; sorted by measure then unit',
      [
        figure('a', 'asserts', { measure: 'killed', unit: 'troops', value: 200, qualifier: 'at-least' }, 2),
        figure('a', 'asserts', troops(12000), 0),
        figure('b', 'asserts', { measure: 'deployed', unit: 'brigades', value: 4, qualifier: 'exact' }),
      ],
      [
        { measure: 'deployed', unit: 'brigades', low: 4, high: 4, from: ['b'] },
        { measure: 'deployed', unit: 'troops', low: 12000, high: 12000, from: ['a'] },
        { measure: 'killed', unit: 'troops', low: 200, high: 200, from: ['a'] },
      ],
    ],
    [
      'denials and no-evidence give no figure, and a later denial leaves the source’s stated figure',
      [
        figure('a', 'asserts', troops(3000), 0),
        figure('a', 'denies', troops(12000), 1),
        figure('k', 'denies', troops(1)),
        figure('p', 'no-evidence', troops(99999)),
      ],
      [{ measure: 'deployed', unit: 'troops', low: 3000, high: 3000, from: ['a'] }],
    ],
  ];

  it.each(table)('%s', (_name, active, expected) => {
    const estimates = estimatesOf(active);
    expect(
      estimates.map(({ measure, unit, low, high, figures }) => ({ measure, unit, low, high, from: figures.map((f) => f.sourceId) })),
    ).toEqual(expected);
  });

  it('a figure carries its claim and exactly its quantity’s numbers: value for a point, min and max for a range', () => {
    const point = aClaim({ sourceId: 'a', stance: 'asserts', quantity: troops(3000, 'about'), reportedAt: '2024-10' });
    const range = aClaim({ sourceId: 'b', stance: 'asserts', quantity: { measure: 'deployed', unit: 'troops', min: 1500, max: 12000, qualifier: 'range' } });
    expect(estimatesOf([range, point])[0]!.figures).toStrictEqual([
      { claimId: point.claimId, sourceId: 'a', reportedAt: '2024-10', qualifier: 'about', value: 3000 },
      { claimId: range.claimId, sourceId: 'b', reportedAt: range.reportedAt, qualifier: 'range', min: 1500, max: 12000 },
    ]);
  });

  it('once a source’s latest figure is retracted (the caller passes only active claims), its earlier figure comes back', () => {
    const earlier = figure('a', 'asserts', troops(3000), 0);
    const later = figure('a', 'asserts', troops(12000), 1);
    expect(estimatesOf([earlier, later])[0]!.figures.map((f) => f.claimId)).toEqual([later.claimId]);
    const activeAfterRetraction = [earlier, later].filter((claim) => claim !== later);
    expect(estimatesOf(activeAfterRetraction)).toEqual([
      { measure: 'deployed', unit: 'troops', low: 3000, high: 3000, figures: [expect.objectContaining({ claimId: earlier.claimId, value: 3000 })] },
    ]);
  });
});

describe('status rules v2, whatever the claims', () => {
  const SOURCES = ['a', 'b', 'c', 'kr-nis', 'kr-mnd'];
  const quantity: fc.Arbitrary<Quantity> = fc.oneof(
    fc.record({
      measure: fc.constantFrom('deployed', 'killed'),
      unit: fc.constantFrom('troops', 'brigades'),
      value: fc.integer({ min: 0, max: 20_000 }),
      qualifier: fc.constantFrom('exact', 'about', 'at-least', 'at-most' as const),
    }),
    fc
      .record({
        measure: fc.constantFrom('deployed', 'killed'),
        unit: fc.constantFrom('troops', 'brigades'),
        ends: fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 })),
      })
      .map(({ measure, unit, ends: [x, y] }) => ({ measure, unit, min: Math.min(x, y), max: Math.max(x, y), qualifier: 'range' as const })),
  );
  const activeClaims = fc
    .array(
      fc.record(
        {
          sourceId: fc.constantFrom(...SOURCES),
          origin: fc.constantFrom('a', 'b', 'kr-government'),
          stance: fc.constantFrom<Stance>('asserts', 'confirms', 'denies', 'assesses', 'no-evidence'),
          likelihood: fc.constantFrom<Likelihood>('unlikely', 'likely', 'almost-certain'),
          quantity,
          day: fc.integer({ min: 0, max: 3 }),
        },
        { requiredKeys: ['sourceId', 'origin', 'stance', 'day'] },
      ),
      { maxLength: 12 },
    )
    .map((claims) =>
      claims.map(({ day, ...claim }, i): ActiveClaim => ({
        ...claim,
        claimId: `c${i}`,
        reportedAt: new Date(BASE + day * DAY).toISOString().slice(0, 10),
        reportedAtMs: BASE + day * DAY,
      })),
    );
  const withReordering = activeClaims.chain((claims) =>
    fc.tuple(fc.constant(claims), fc.shuffledSubarray(claims, { minLength: claims.length, maxLength: claims.length })),
  );

  it('gives the same summary whatever the order of the claims', () => {
    fc.assert(
      fc.property(withReordering, fc.nat({ max: 2 }), ([claims, reordered], retracted) => {
        expect(statusOf(reordered, retracted)).toBe(statusOf(claims, retracted));
        expect(summarize(reordered, retracted)).toEqual(summarize(claims, retracted));
      }),
    );
  });

  it('keeps low <= high, every number between them, and every figure from a stating claim in the input', () => {
    fc.assert(
      fc.property(activeClaims, (claims) => {
        const byId = new Map(claims.map((claim) => [claim.claimId, claim]));
        for (const { measure, unit, low, high, figures } of estimatesOf(claims)) {
          expect(low).toBeLessThanOrEqual(high);
          expect(new Set(figures.map((f) => f.sourceId)).size).toBe(figures.length);
          for (const figure of figures) {
            const claim = byId.get(figure.claimId);
            expect(claim).toBeDefined();
            expect(claim!.sourceId).toBe(figure.sourceId);
            expect(['asserts', 'confirms', 'assesses']).toContain(claim!.stance);
            expect(claim!.quantity).toMatchObject({ measure, unit, qualifier: figure.qualifier });
            for (const n of [figure.value, figure.min, figure.max]) {
              if (n !== undefined) expect(n >= low && n <= high).toBe(true);
            }
          }
        }
      }),
    );
  });
});
