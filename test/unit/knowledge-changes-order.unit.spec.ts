import { inListOrder } from '../../src/projections/knowledge/knowledge-changes.queries';

type Change = Parameters<typeof inListOrder>[0][number];
const change = (kind: Change['kind'], developmentId: string, ms: number, position: number): Change => ({ kind, developmentId, ms, position });
const brief = (changes: Change[]) => inListOrder(changes).map((c) => `${c.ms} ${c.developmentId} ${c.kind} ${c.position}`);

describe('the order of /v1/knowledge/changes', () => {
  it.each([
    [
      'a development reported with two claims of one instant comes before both (its cause is the later claim)',
      [change('claim-reported', 'd', 10, 3), change('development-reported', 'd', 10, 3), change('claim-reported', 'd', 10, 2)],
      ['10 d development-reported 3', '10 d claim-reported 2', '10 d claim-reported 3'],
    ],
    [
      'by knowledge time first, whatever the positions',
      [change('claim-reported', 'd', 20, 1), change('development-reported', 'e', 10, 9), change('claim-reported', 'e', 10, 9)],
      ['10 e development-reported 9', '10 e claim-reported 9', '20 d claim-reported 1'],
    ],
    [
      'another development’s claims of the same instant keep their positions',
      [change('claim-reported', 'e', 10, 1), change('development-reported', 'd', 10, 5), change('claim-reported', 'd', 10, 4), change('status-changed', 'e', 10, 1)],
      ['10 e claim-reported 1', '10 e status-changed 1', '10 d development-reported 5', '10 d claim-reported 4'],
    ],
    [
      'at one position: revision, claim, retraction, status, estimate',
      [change('estimate-changed', 'd', 10, 4), change('status-changed', 'd', 10, 4), change('claim-reported', 'd', 10, 4), change('development-revised', 'd', 10, 4)],
      ['10 d development-revised 4', '10 d claim-reported 4', '10 d status-changed 4', '10 d estimate-changed 4'],
    ],
  ])('%s', (_name, changes, expected) => {
    expect(brief(changes)).toEqual(expected);
  });
});
