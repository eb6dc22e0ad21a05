import { DevelopmentCommand } from '../../src/domain/development/development.decider';
import {
  AlreadyExistsError,
  InvalidInputError,
  NotFoundError,
  StateConflictError,
} from '../../src/domain/shared/domain.errors';
import { aClaim, aClaimReported, aClaimRetracted, aDevelopmentRecorded, given } from '../support/domain-builders';

const known = { registeredSourceIds: ['sk-nis', 'kremlin'] };

const record = (overrides: Partial<Extract<DevelopmentCommand, { type: 'RecordDevelopment' }>['data']> = {}): DevelopmentCommand => ({
  type: 'RecordDevelopment',
  data: { developmentId: 'troops', fields: { title: 'Troops sent', topics: ['troops'] }, claimId: 'c1', claim: aClaim(), ...known, ...overrides },
});

const report = (claim = aClaim(), claimId = 'c2'): DevelopmentCommand => ({
  type: 'ReportClaim',
  data: { developmentId: 'troops', claimId, claim, ...known },
});

const retract = (reportedAt = '2024-10-25', claimId = 'c1'): DevelopmentCommand => ({
  type: 'RetractClaim',
  data: { developmentId: 'troops', claimId, reportedAt, reason: 'withdrawn' },
});

describe('development decider', () => {
  describe('recording a development', () => {
    it('records the development and its first claim together', () => {
      given([])
        .when(record())
        .then([aDevelopmentRecorded(), aClaimReported()]);
    });

    it('refuses an id that is already recorded', () => {
      given([aDevelopmentRecorded(), aClaimReported()]).when(record()).thenThrows(AlreadyExistsError);
    });

    it('refuses an occurred interval that ends before it starts', () => {
      given([])
        .when(record({ fields: { title: 't', occurred: { from: '2024-10-13', to: '2024-10-08' } } }))
        .thenThrows(InvalidInputError, /occurred.to must not be before occurred.from/);
    });

    it('accepts an occurred interval of one day and a label alone', () => {
      const fields = { title: 't', occurred: { from: '2024-10-08', to: '2024-10-08', label: 'early October' } };
      given([])
        .when(record({ fields }))
        .then([aDevelopmentRecorded({ title: 't', occurred: { edtf: '2024-10-08', label: 'early October' }, topics: undefined }), aClaimReported()]);
      given([])
        .when(record({ fields: { title: 't', occurred: { label: 'in the autumn' } } }))
        .then([aDevelopmentRecorded({ title: 't', occurred: { label: 'in the autumn' }, topics: undefined }), aClaimReported()]);
    });

    it('refuses a first claim whose source is not registered', () => {
      given([])
        .when(record({ claim: aClaim({ sourceId: 'nobody' }) }))
        .thenThrows(NotFoundError, /source 'nobody'/);
    });

    it('refuses an impossible reportedAt', () => {
      given([])
        .when(record({ claim: aClaim({ reportedAt: '2025-02-30' }) }))
        .thenThrows(InvalidInputError);
    });
  });

  describe('reporting a claim', () => {
    const recorded = [aDevelopmentRecorded(), aClaimReported()];

    it('adds a claim to a known development', () => {
      const claim = aClaim({ sourceId: 'kremlin', stance: 'denies' });
      given(recorded).when(report(claim)).then([aClaimReported({ claimId: 'c2', ...claim })]);
    });

    it('refuses a claim on a development that does not exist', () => {
      given([]).when(report()).thenThrows(NotFoundError, /development 'troops'/);
    });

    it('refuses a claim id that is taken', () => {
      given(recorded).when(report(aClaim(), 'c1')).thenThrows(AlreadyExistsError);
    });

    it('refuses a claim from an unregistered source', () => {
      given(recorded).when(report(aClaim({ sourceId: 'ghost' }))).thenThrows(NotFoundError, /source 'ghost'/);
    });
  });

  describe('retracting a claim', () => {
    const recorded = [aDevelopmentRecorded(), aClaimReported()];

    it('retracts an active claim', () => {
      given(recorded).when(retract()).then([aClaimRetracted()]);
    });

    it('refuses to retract a claim twice', () => {
      given([...recorded, aClaimRetracted()]).when(retract('2024-10-26')).thenThrows(StateConflictError);
    });

    it('refuses to retract a claim that does not exist', () => {
      given(recorded).when(retract('2024-10-25', 'nope')).thenThrows(NotFoundError, /claim 'nope'/);
    });

    it('refuses a retraction known before the claim was reported', () => {
      given(recorded).when(retract('2024-10-17')).thenThrows(InvalidInputError, /before it was reported/);
    });
  });

  describe('correcting', () => {
    const recorded = [aDevelopmentRecorded(), aClaimReported()];

    it('records a development correction with only the listed fields', () => {
      const command: DevelopmentCommand = {
        type: 'CorrectDevelopment',
        data: { developmentId: 'troops', changes: { title: 'Troops shipped' }, reason: 'typo' },
      };
      given(recorded)
        .when(command)
        .then([{ type: 'DevelopmentCorrected', data: { developmentId: 'troops', changes: { title: 'Troops shipped' }, reason: 'typo' } }]);
    });

    it('refuses an empty correction', () => {
      given(recorded)
        .when({ type: 'CorrectDevelopment', data: { developmentId: 'troops', changes: {}, reason: 'nothing' } })
        .thenThrows(InvalidInputError, /at least one field/);
    });

    it('refuses a corrected occurred interval that ends before it starts', () => {
      given(recorded)
        .when({
          type: 'CorrectDevelopment',
          data: { developmentId: 'troops', changes: { occurred: { from: '2024-10-09', to: '2024-10-01' } }, reason: 'r' },
        })
        .thenThrows(InvalidInputError);
    });

    it('records a claim correction without the resolved sources', () => {
      given(recorded)
        .when({ type: 'CorrectClaim', data: { developmentId: 'troops', claimId: 'c1', changes: { stance: 'confirms' }, reason: 'r', ...known } })
        .then([{ type: 'ClaimCorrected', data: { developmentId: 'troops', claimId: 'c1', changes: { stance: 'confirms' }, reason: 'r' } }]);
    });

    it('refuses a claim correction naming an unregistered source', () => {
      given(recorded)
        .when({ type: 'CorrectClaim', data: { developmentId: 'troops', claimId: 'c1', changes: { sourceId: 'ghost' }, reason: 'r', ...known } })
        .thenThrows(NotFoundError, /source 'ghost'/);
    });

    it('refuses to move a retracted claim after its retraction', () => {
      given([...recorded, aClaimRetracted({ reportedAt: '2024-10-20' })])
        .when({ type: 'CorrectClaim', data: { developmentId: 'troops', claimId: 'c1', changes: { reportedAt: '2024-10-21' }, reason: 'r', ...known } })
        .thenThrows(InvalidInputError, /after its retraction/);
    });

    it('refuses to correct a claim that does not exist', () => {
      given(recorded)
        .when({ type: 'CorrectClaim', data: { developmentId: 'troops', claimId: 'zz', changes: { stance: 'denies' }, reason: 'r', ...known } })
        .thenThrows(NotFoundError);
    });
  });

  describe('times', () => {
    const recorded = [aDevelopmentRecorded(), aClaimReported()];
    const EAST = '2024-10-18T09:30:00+02:00';
    const EAST_IN_UTC = '2024-10-18T07:30:00.000Z';

    it('records the instants of a development and its first claim in UTC, and dates as dates', () => {
      const fields = { title: 't', occurred: { from: '2024-10-08', to: EAST } };
      const claim = aClaim({ reportedAt: EAST, publication: { title: 'NIS', publishedAt: '2024-10-18T10:00:00-05:00' } });
      given([])
        .when(record({ fields, claim }))
        .then([
          aDevelopmentRecorded({ title: 't', topics: undefined, occurred: { edtf: `2024-10-08/${EAST_IN_UTC}` } }),
          aClaimReported({ ...claim, reportedAt: EAST_IN_UTC, publication: { title: 'NIS', publishedAt: '2024-10-18T15:00:00.000Z' } }),
        ]);
    });

    it('reports, retracts and corrects with instants in UTC', () => {
      given(recorded).when(report(aClaim({ reportedAt: EAST }))).then([aClaimReported({ claimId: 'c2', reportedAt: EAST_IN_UTC })]);
      given(recorded).when(retract('2024-10-25T01:00:00+03:00')).then([aClaimRetracted({ reportedAt: '2024-10-24T22:00:00.000Z' })]);
      given(recorded)
        .when({ type: 'CorrectClaim', data: { developmentId: 'troops', claimId: 'c1', changes: { reportedAt: EAST }, reason: 'r', ...known } })
        .then([{ type: 'ClaimCorrected', data: { developmentId: 'troops', claimId: 'c1', changes: { reportedAt: EAST_IN_UTC }, reason: 'r' } }]);
      given(recorded)
        .when({ type: 'CorrectDevelopment', data: { developmentId: 'troops', changes: { occurred: { from: EAST } }, reason: 'r' } })
        .then([{ type: 'DevelopmentCorrected', data: { developmentId: 'troops', changes: { occurred: { edtf: `${EAST_IN_UTC}/..` } }, reason: 'r' } }]);
    });

    it('refuses a reportedAt that is beyond year 9999 in UTC', () => {
      given([])
        .when(record({ claim: aClaim({ reportedAt: '9999-12-31T23:00:00-02:00' }) }))
        .thenThrows(InvalidInputError, /claim.reportedAt/);
    });
  });
});
