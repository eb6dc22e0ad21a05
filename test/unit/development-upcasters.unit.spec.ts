import { DEVELOPMENT_UPCASTERS_FROM_V1 } from '../../src/domain/development/development.upcasters';
import { occurredView } from '../../src/domain/development/occurred';

const { DevelopmentRecorded, DevelopmentCorrected, ClaimReported, ClaimCorrected } = DEVELOPMENT_UPCASTERS_FROM_V1;

describe('development events of schema version 1 read as version 2', () => {
  it.each([
    ['an interval', { from: '2024-10-08', to: '2024-10-13', label: 'early October' }, { edtf: '2024-10-08/2024-10-13', label: 'early October' }],
    ['a start only', { from: '2024-10-08' }, { edtf: '2024-10-08/..' }],
    ['an end only', { to: '2024-09-30' }, { edtf: '../2024-09-30' }],
    ['one day', { from: '2024-10-08', to: '2024-10-08' }, { edtf: '2024-10-08' }],
    ['instants', { from: '2024-10-08T08:30:00.000Z', to: '2024-10-08T11:00:00.000Z' }, { edtf: '2024-10-08T08:30:00.000Z/2024-10-08T11:00:00.000Z' }],
    ['a label only', { label: 'some time in 2024' }, { label: 'some time in 2024' }],
    ['nothing (unknown)', {}, {}],
  ])('occurred as %s', (_name, v1, v2) => {
    expect(DevelopmentRecorded({ developmentId: 'd', title: 't', occurred: v1 })).toEqual({ developmentId: 'd', title: 't', occurred: v2 });
    expect(DevelopmentCorrected({ developmentId: 'd', changes: { occurred: v1, title: 'u' }, reason: 'r' })).toEqual({
      developmentId: 'd',
      changes: { occurred: v2, title: 'u' },
      reason: 'r',
    });
  });

  it('a v1 correction that cleared occurred still clears it: read as unknown, not left out', () => {
    const changes = DevelopmentCorrected({ developmentId: 'd', changes: { occurred: {} }, reason: 'r' }).changes as { occurred: object };
    expect(occurredView(changes.occurred)).toEqual({ edtf: null, earliest: null, latest: null, label: null });
  });

  it('leaves events without occurred, and version 2 values, as they are', () => {
    expect(DevelopmentRecorded({ developmentId: 'd', title: 't' })).toEqual({ developmentId: 'd', title: 't' });
    expect(DevelopmentRecorded({ developmentId: 'd', title: 't', occurred: { edtf: '2024-10~' } })).toEqual({ developmentId: 'd', title: 't', occurred: { edtf: '2024-10~' } });
  });

  it('gives a quantity its unit as measure, in a claim and in a claim correction', () => {
    expect(ClaimReported({ claimId: 'c', quantity: { value: 3000, unit: 'troops', qualifier: 'about' } })).toEqual({
      claimId: 'c',
      quantity: { measure: 'troops', value: 3000, unit: 'troops', qualifier: 'about' },
    });
    expect(ClaimCorrected({ claimId: 'c', changes: { quantity: { value: 1, unit: 'ships', qualifier: 'exact' } }, reason: 'r' })).toEqual({
      claimId: 'c',
      changes: { quantity: { measure: 'ships', value: 1, unit: 'ships', qualifier: 'exact' } },
      reason: 'r',
    });
    expect(ClaimReported({ claimId: 'c', stance: 'asserts' })).toEqual({ claimId: 'c', stance: 'asserts' });
  });
});
