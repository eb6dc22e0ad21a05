import fc from 'fast-check';
import { Stance } from '../../src/domain/development/development.events';
import { timeMs } from '../../src/domain/knowledge/development-view';
import { FOREVER } from '../../src/database/schema';
import { RecordedClaims, SegmentRow, statusSegmentDiff } from '../../src/projections/knowledge/status-segments.diff';

type ClaimRow = RecordedClaims['claims'][number];
type RetractionRow = RecordedClaims['retractions'][number];

const claim = (id: string, sourceId: string, stance: Stance, reportedAt: string, position: number): ClaimRow => ({
  claim_id: id,
  fields: JSON.stringify({ sourceId, stance, reportedAt }),
  position,
});
const retraction = (id: string, reportedAt: string, position: number): RetractionRow => ({ claim_id: id, reported_at: reportedAt, position });
/** The first claim listed is the one the development was recorded with. */
const recorded = (claims: ClaimRow[], retractions: RetractionRow[] = []): RecordedClaims => ({ firstClaimId: claims[0]?.claim_id ?? 'none', claims, retractions });

const a1 = claim('c1', 'a', 'asserts', '2024-10-01', 1);
const b3 = claim('c2', 'b', 'asserts', '2024-10-03', 2);
const c5 = claim('c3', 'c', 'asserts', '2024-10-05', 3);
const NOTHING = recorded([]);

/** The segments current after `before` was projected. */
const segmentsOf = (before: RecordedClaims): SegmentRow[] => statusSegmentDiff('d1', before, []).insert;

/** A segment as the table reads it: where it starts (as worded), its status, the one before, its cause. */
type Expected = [knownFrom: string, status: string, previous: string | null, causePosition: number];
const brief = (row: SegmentRow): Expected => [row.known_from_text, row.status, row.previous_status, Number(row.cause_position)];

describe('status segment diff: which current segments to close, which to insert', () => {
  const table: [string, RecordedClaims, RecordedClaims, string[], Expected[]][] = [
    ['a first claim inserts one segment and closes nothing', NOTHING, recorded([a1]), [], [['2024-10-01', 'reported', null, 1]]],
    ['nothing new recorded changes nothing', recorded([a1, b3]), recorded([a1, b3]), [], []],
    [
      'a later claim closes the open segment and inserts it bounded, then the new one',
      recorded([a1]),
      recorded([a1, b3]),
      ['2024-10-01'],
      [
        ['2024-10-01', 'reported', null, 1],
        ['2024-10-03', 'corroborated', 'reported', 2],
      ],
    ],
    [
      'segments before the new claim that did not change stay',
      recorded([a1, b3]),
      recorded([a1, b3, c5]),
      ['2024-10-03'],
      [
        ['2024-10-03', 'corroborated', 'reported', 2],
        ['2024-10-05', 'corroborated', 'corroborated', 3],
      ],
    ],
    [
      'a retraction ends the segment it falls in and starts one where it takes effect',
      recorded([a1, b3]),
      recorded([a1, b3], [retraction('c2', '2024-10-04', 4)]),
      ['2024-10-03'],
      [
        ['2024-10-03', 'corroborated', 'reported', 2],
        ['2024-10-04', 'reported', 'corroborated', 4],
      ],
    ],
    [
      'two facts at one knowledge instant make one segment: the first wording, the later position',
      NOTHING,
      recorded([claim('c1', 'a', 'asserts', '2024-10-01', 5), claim('c2', 'b', 'asserts', '2024-10-01T00:00:00Z', 9)]),
      [],
      [['2024-10-01', 'corroborated', null, 9]],
    ],
    [
      'a corrected claim moved later closes every segment it changes',
      recorded([a1, b3]),
      recorded([a1, claim('c2', 'b', 'asserts', '2024-10-05', 6)]),
      ['2024-10-01', '2024-10-03'],
      [
        ['2024-10-01', 'reported', null, 1],
        ['2024-10-05', 'corroborated', 'reported', 6],
      ],
    ],
  ];

  it.each(table)('%s', (_name, before, after, close, insert) => {
    const diff = statusSegmentDiff('d1', after, segmentsOf(before));
    expect([...diff.close].sort((x, y) => x - y)).toEqual(close.map(timeMs).sort((x, y) => x - y));
    expect(diff.insert.map(brief)).toEqual(insert);
    expect(diff.insert.every((row) => row.development_id === 'd1')).toBe(true);
  });

  /** The earliest knowledge time of a claim or retraction row that one side has and the other has not. */
  const changedFrom = (before: RecordedClaims, after: RecordedClaims): number => {
    const times = (rows: readonly object[], others: readonly object[], timeOf: (row: never) => string) =>
      rows.filter((row) => !others.some((other) => JSON.stringify(other) === JSON.stringify(row))).map((row) => timeMs(timeOf(row as never)));
    const claimTime = (row: ClaimRow) => (JSON.parse(row.fields) as { reportedAt: string }).reportedAt;
    const retractionTime = (row: RetractionRow) => row.reported_at;
    return Math.min(
      ...times(after.claims, before.claims, claimTime),
      ...times(before.claims, after.claims, claimTime),
      ...times(after.retractions, before.retractions, retractionTime),
      Number.POSITIVE_INFINITY,
    );
  };

  it.each(table)('%s: the same from the earliest time changed on, given only the segments ending then or later', (_name, before, after) => {
    const from = changedFrom(before, after);
    const current = segmentsOf(before);
    const whole = statusSegmentDiff('d1', after, current);
    expect(statusSegmentDiff('d1', after, current, undefined, from)).toEqual(whole);
    expect(statusSegmentDiff('d1', after, current.filter((row) => Number(row.known_to) === FOREVER || Number(row.known_to) >= from), undefined, from)).toEqual(whole);
  });

  // The projection keeps a development's rows between batches in an order of its own, and PostgreSQL reads them in none.
  it.each(table)('%s: the same whatever order the rows come in', (_name, before, after) => {
    const reversed = (claims: RecordedClaims): RecordedClaims => ({ ...claims, claims: [...claims.claims].reverse(), retractions: [...claims.retractions].reverse() });
    expect(statusSegmentDiff('d1', reversed(after), segmentsOf(reversed(before)))).toEqual(statusSegmentDiff('d1', after, segmentsOf(before)));
  });

  it('words an instant as the fact recorded first then does, though a retraction recorded later is listed before it', () => {
    const rows = recorded([a1, claim('c2', 'b', 'asserts', '2024-10-03T00:00:00Z', 2)], [retraction('c1', '2024-10-03', 5)]);
    expect(segmentsOf(rows).map(brief)).toEqual([
      ['2024-10-01', 'reported', null, 1],
      ['2024-10-03T00:00:00Z', 'reported', 'reported', 5],
    ]);
  });

  it("reads PostgreSQL's bigint strings as the same segment as numbers", () => {
    const current = segmentsOf(recorded([a1, b3])).map((row) => ({
      ...row,
      known_from: String(row.known_from),
      known_to: String(row.known_to),
      cause_position: String(row.cause_position),
    }));
    expect(statusSegmentDiff('d1', recorded([a1, b3]), current)).toEqual({ close: [], insert: [] });
  });
});

describe('status segments start when the claim the development was recorded with is reported', () => {
  it('counts a claim reported earlier but added later, from then on, not before', () => {
    const firstAtFifth = recorded([c5, a1]);
    expect(segmentsOf(firstAtFifth).map(brief)).toEqual([['2024-10-05', 'corroborated', null, 3]]);
  });
  it('has no segment without the first claim', () => {
    expect(statusSegmentDiff('d1', { firstClaimId: 'gone', claims: [a1], retractions: [] }, []).insert).toEqual([]);
  });
});

describe('status segments kept current change after change, as the knowledge projection keeps them', () => {
  const HOUR = 3_600_000;
  const BASE = Date.UTC(2024, 9, 1);
  /** Knowledge times that collide often: a few days, as dates and as instants inside them. */
  const knowledgeTime = fc.oneof(
    fc.integer({ min: 0, max: 5 }).map((d) => new Date(BASE + d * 24 * HOUR).toISOString().slice(0, 10)),
    fc.integer({ min: 0, max: 5 * 24 }).map((h) => new Date(BASE + h * HOUR).toISOString()),
  );
  const change = fc.oneof(
    fc.record({ kind: fc.constant('report' as const), sourceId: fc.constantFrom('a', 'b', 'c'), stance: fc.constantFrom<Stance>('asserts', 'denies', 'confirms'), at: knowledgeTime }),
    fc.record({ kind: fc.constant('correct' as const), claim: fc.nat(), at: knowledgeTime }),
    fc.record({ kind: fc.constant('retract' as const), claim: fc.nat(), at: knowledgeTime }),
  );
  const affiliationOf = (sourceId: string) => (sourceId === 'c' ? 'c' : 'ab');
  const inOrder = (rows: readonly SegmentRow[]) => [...rows].sort((x, y) => Number(x.known_from) - Number(y.known_from));

  /**
   * What `refreshStatusTimeline` reads: the current segments that end at or after `from`, bounded
   * below by the start of the last one that starts before it (`currentSegmentsFrom`'s query).
   */
  const read = (current: readonly SegmentRow[], from: number) => {
    const starts = current.map((row) => Number(row.known_from)).filter((start) => start < from);
    const bound = starts.length === 0 ? Number.NEGATIVE_INFINITY : Math.max(...starts);
    return current.filter((row) => Number(row.known_to) >= from && Number(row.known_from) >= bound);
  };

  it('never overlap, and are the whole timeline derived at once, after every report, correction and retraction', () => {
    fc.assert(
      fc.property(knowledgeTime, fc.array(change, { maxLength: 12 }), (firstAt, changes) => {
        let position = 0;
        const claims = new Map<string, ClaimRow>([['c0', claim('c0', 'a', 'asserts', firstAt, ++position)]]);
        const retractions = new Map<string, RetractionRow>();
        const recordedNow = (): RecordedClaims => ({ firstClaimId: 'c0', claims: [...claims.values()], retractions: [...retractions.values()] });
        let current = statusSegmentDiff('d1', recordedNow(), [], affiliationOf).insert;
        for (const next of changes) {
          const ids = [...claims.keys()];
          let from: number;
          if (next.kind === 'report') {
            const id = `c${ids.length}`;
            claims.set(id, claim(id, next.sourceId, next.stance, next.at, ++position));
            from = timeMs(next.at);
          } else if (next.kind === 'correct') {
            const id = ids[next.claim % ids.length];
            const fields = JSON.parse(claims.get(id)!.fields) as { sourceId: string; stance: Stance; reportedAt: string };
            claims.set(id, claim(id, fields.sourceId, fields.stance, next.at, ++position));
            // As `projectClaim` answers: known from its old time until now, from its new one from now on.
            from = Math.min(timeMs(fields.reportedAt), timeMs(next.at));
          } else {
            const id = ids[next.claim % ids.length];
            if (retractions.has(id)) continue;
            retractions.set(id, retraction(id, next.at, ++position));
            from = timeMs(next.at);
          }
          const diff = statusSegmentDiff('d1', recordedNow(), read(current, from), affiliationOf, from);
          // `supersede` closes every current segment of the development that starts at a closed `known_from`.
          current = [...current.filter((row) => !diff.close.includes(Number(row.known_from))), ...diff.insert];
          const ordered = inOrder(current);
          ordered.forEach((row, i) => {
            expect(Number(row.known_from)).toBeLessThan(Number(row.known_to));
            expect(Number(row.known_to)).toBe(i === ordered.length - 1 ? FOREVER : Number(ordered[i + 1].known_from));
          });
          expect(ordered).toEqual(inOrder(statusSegmentDiff('d1', recordedNow(), [], affiliationOf).insert));
        }
      }),
      { numRuns: 400 },
    );
  });
});
