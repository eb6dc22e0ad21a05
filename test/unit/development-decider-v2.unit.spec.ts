import { DevelopmentCommand, developmentDecider } from '../../src/domain/development/development.decider';
import { DevelopmentEvent } from '../../src/domain/development/development.events';
import { InvalidInputError, NotFoundError, StateConflictError } from '../../src/domain/shared/domain.errors';
import { aClaim, aClaimReported, aDevelopmentRecorded, given } from '../support/domain-builders';

const known = { registeredSourceIds: ['sk-nis', 'kremlin', 'bbc', 'the-independent'] };
const recorded: DevelopmentEvent[] = [aDevelopmentRecorded(), aClaimReported()];

const report = (claim: object, claimId = 'c2'): DevelopmentCommand => ({
  type: 'ReportClaim',
  data: { developmentId: 'troops', claimId, claim: aClaim(claim), ...known },
});
const correctClaim = (changes: object, claimId = 'c1'): DevelopmentCommand => ({
  type: 'CorrectClaim',
  data: { developmentId: 'troops', claimId, changes, reason: 'r', ...known },
});
const revise = (data: object = {}): DevelopmentCommand => ({
  type: 'ReviseDevelopment',
  data: { developmentId: 'troops', revisionId: 'r1', changes: { title: 'About 3,000 troops sent' }, reportedAt: '2024-10-23', reason: 'NIS figures', ...data },
});
const revised = (data: object = {}): DevelopmentEvent => ({
  type: 'DevelopmentRevised',
  data: { developmentId: 'troops', revisionId: 'r1', changes: { title: 'About 3,000 troops sent' }, reportedAt: '2024-10-23', reason: 'NIS figures', ...data },
});

describe('development decider v2: stances, quantities, provenance, revisions', () => {
  describe('stances keep the strength of the words', () => {
    it('takes an assessment with its ICD 203 likelihood', () => {
      given(recorded)
        .when(report({ stance: 'assesses', likelihood: 'very-likely' }))
        .then([aClaimReported({ claimId: 'c2', stance: 'assesses', likelihood: 'very-likely' })]);
    });
    it('takes no-evidence, which needs no likelihood', () => {
      given(recorded).when(report({ stance: 'no-evidence' })).then([aClaimReported({ claimId: 'c2', stance: 'no-evidence' })]);
    });
    it.each([
      ['an assessment without a likelihood', { stance: 'assesses' }, /likelihood is required when stance is assesses/],
      ['a likelihood on an assertion', { stance: 'asserts', likelihood: 'likely' }, /likelihood is only for stance assesses/],
    ])('refuses %s', (_name, claim, message) => {
      given(recorded).when(report(claim)).thenThrows(InvalidInputError, message);
    });
    it('a correction to another stance drops the likelihood; a likelihood alone on an assertion is refused', () => {
      const assessed = [aDevelopmentRecorded(), aClaimReported({ stance: 'assesses', likelihood: 'likely' })];
      given(assessed)
        .when(correctClaim({ stance: 'asserts' }))
        .then([{ type: 'ClaimCorrected', data: { developmentId: 'troops', claimId: 'c1', changes: { stance: 'asserts' }, reason: 'r' } }]);
      given(recorded).when(correctClaim({ likelihood: 'likely' })).thenThrows(InvalidInputError, /likelihood is only for stance assesses/);
      given(recorded).when(correctClaim({ stance: 'assesses' })).thenThrows(InvalidInputError, /likelihood is required/);
    });
  });

  describe('quantities carry their measure', () => {
    it('defaults the measure to the unit', () => {
      given(recorded)
        .when(report({ quantity: { unit: 'troops', value: 3000, qualifier: 'about' } }))
        .then([aClaimReported({ claimId: 'c2', quantity: { measure: 'troops', unit: 'troops', value: 3000, qualifier: 'about' } })]);
    });
    it('takes a range as min and max', () => {
      given(recorded)
        .when(report({ quantity: { measure: 'deployed', unit: 'troops', min: 1500, max: 12000, qualifier: 'range' } }))
        .then([aClaimReported({ claimId: 'c2', quantity: { measure: 'deployed', unit: 'troops', min: 1500, max: 12000, qualifier: 'range' } })]);
    });
    it.each([
      ['a range without max', { unit: 'troops', min: 1, qualifier: 'range' }, 'quantity.max'],
      ['a range with a value', { unit: 'troops', value: 1, min: 1, max: 2, qualifier: 'range' }, 'quantity.value'],
      ['a range upside down', { unit: 'troops', min: 9, max: 2, qualifier: 'range' }, 'quantity.max'],
      ['a point without value', { unit: 'troops', qualifier: 'about' }, 'quantity.value'],
      ['a point with min', { unit: 'troops', value: 1, min: 1, qualifier: 'exact' }, 'quantity.min'],
      ['a negative count', { unit: 'troops', value: -5, qualifier: 'about' }, 'quantity.value'],
      ['a range from below zero', { unit: 'troops', min: -1, max: 2, qualifier: 'range' }, 'quantity.min'],
    ])('refuses %s, naming the field', (_name, quantity, field) => {
      const state = recorded.reduce(developmentDecider.evolve, developmentDecider.initialState());
      const refusal = (() => {
        try {
          developmentDecider.decide(report({ quantity }), state);
        } catch (error) {
          return error;
        }
      })();
      expect(refusal).toBeInstanceOf(InvalidInputError);
      expect((refusal as InvalidInputError).errors.map((error) => error.field)).toEqual([field]);
    });
  });

  describe('provenance', () => {
    it('takes a relay chain of registered sources, and a repetition of an earlier claim', () => {
      given(recorded)
        .when(report({ sourceId: 'kremlin', via: ['bbc', 'the-independent'], derivedFrom: 'c1' }))
        .then([aClaimReported({ claimId: 'c2', sourceId: 'kremlin', via: ['bbc', 'the-independent'], derivedFrom: 'c1' })]);
    });
    it.each([
      ['an unregistered relay', { via: ['ghost'] }, NotFoundError, /source 'ghost'/],
      ['a relay named twice', { via: ['bbc', 'bbc'] }, InvalidInputError, /each relaying source once/],
      ['the source as its own relay', { via: ['bbc', 'sk-nis'] }, InvalidInputError, /own source/],
      ['a repetition of an unknown claim', { derivedFrom: 'nope' }, NotFoundError, /claim 'nope'/],
      ['a repetition of itself', { derivedFrom: 'c2' }, InvalidInputError, /another claim/],
      ['a repetition of a later claim', { derivedFrom: 'c1', reportedAt: '2024-10-01' }, InvalidInputError, /reported after it/],
    ])('refuses %s', (_name, claim, error, message) => {
      given(recorded).when(report(claim)).thenThrows(error, message);
    });
    it('refuses a correction that would make the repetitions a cycle', () => {
      const chain = [...recorded, aClaimReported({ claimId: 'c2', derivedFrom: 'c1' })];
      given(chain).when(correctClaim({ derivedFrom: 'c2' }, 'c1')).thenThrows(InvalidInputError, /cycle/);
    });
  });

  describe('what rests on a claim stays after it', () => {
    it('takes a claim reported before the one the development was recorded with (the views show it from then on)', () => {
      given(recorded).when(report({ reportedAt: '2024-10-10' })).then([aClaimReported({ claimId: 'c2', reportedAt: '2024-10-10' })]);
    });
    it('refuses moving a claim after a repetition of it, or after a revision based on it', () => {
      const repeated = [...recorded, aClaimReported({ claimId: 'c2', reportedAt: '2024-10-20' }), aClaimReported({ claimId: 'c3', reportedAt: '2024-10-21', derivedFrom: 'c2' })];
      given(repeated).when(correctClaim({ reportedAt: '2024-10-22' }, 'c2')).thenThrows(InvalidInputError, /after a claim that repeats it/);
      const based = [...recorded, aClaimReported({ claimId: 'c2', reportedAt: '2024-10-20' }), revised({ basisClaimId: 'c2', reportedAt: '2024-10-21' })];
      given(based).when(correctClaim({ reportedAt: '2024-10-22' }, 'c2')).thenThrows(InvalidInputError, /after a revision that rests on it/);
      given(based)
        .when(correctClaim({ reportedAt: '2024-10-21' }, 'c2'))
        .then([{ type: 'ClaimCorrected', data: { developmentId: 'troops', claimId: 'c2', changes: { reportedAt: '2024-10-21' }, reason: 'r' } }]);
    });
  });

  describe('revisions: detail learned later, in knowledge time', () => {
    it('records a revision with its knowledge time in UTC and its basis claim', () => {
      given(recorded).when(revise({ basisClaimId: 'c1' })).then([revised({ basisClaimId: 'c1' })]);
      given(recorded)
        .when(revise({ reportedAt: '2024-10-23T09:00:00+09:00' }))
        .then([revised({ reportedAt: '2024-10-23T00:00:00.000Z' })]);
    });
    it.each([
      ['no changes', { changes: {} }, InvalidInputError, /at least one field/],
      ['an unknown basis claim', { basisClaimId: 'nope' }, NotFoundError, /claim 'nope'/],
      ['a revision before its basis claim', { basisClaimId: 'c1', reportedAt: '2024-10-17' }, InvalidInputError, /before the claim it rests on/],
    ])('refuses %s', (_name, data, error, message) => {
      given(recorded).when(revise(data)).thenThrows(error, message);
    });
    it('refuses a revision of a development that does not exist, and a revision id used twice', () => {
      given([]).when(revise()).thenThrows(NotFoundError, /development 'troops'/);
      given([...recorded, revised()]).when(revise()).thenThrows(StateConflictError, /revision 'r1'/);
    });
    it('corrects one revision by id, and refuses an unknown one', () => {
      const correct = (revisionId: string): DevelopmentCommand => ({
        type: 'CorrectDevelopment',
        data: { developmentId: 'troops', revisionId, changes: { title: 'About 3,000 troops' }, reason: 'typo' },
      });
      given([...recorded, revised()])
        .when(correct('r1'))
        .then([{ type: 'DevelopmentCorrected', data: { developmentId: 'troops', revisionId: 'r1', changes: { title: 'About 3,000 troops' }, reason: 'typo' } }]);
      given(recorded).when(correct('r9')).thenThrows(NotFoundError, /revision 'r9'/);
    });
  });
});
