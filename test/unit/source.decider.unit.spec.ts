import { SourceCommand, sourceDecider } from '../../src/domain/source/source.decider';
import { SourceEvent, SourceRated, SourceRegistered, originOfSource } from '../../src/domain/source/source.events';
import { AlreadyExistsError, InvalidInputError, NotFoundError } from '../../src/domain/shared/domain.errors';

const aSourceRegistered = (overrides: Partial<SourceRegistered['data']> = {}): SourceRegistered => ({
  type: 'SourceRegistered',
  data: { sourceId: 'sk-nis', name: "South Korea's National Intelligence Service", kind: 'intelligence', country: 'KR', ...overrides },
});

const aSourceRated = (overrides: Partial<SourceRated['data']> = {}): SourceRated => ({
  type: 'SourceRated',
  data: { sourceId: 'sk-nis', reliability: 'B', reportedAt: '2024-10-25', reason: 'confirmed by allied intelligence', ...overrides },
});

const register = (overrides: Partial<SourceRegistered['data']> = {}): SourceCommand => ({ type: 'RegisterSource', data: aSourceRegistered(overrides).data });
const rate = (overrides: Partial<SourceRated['data']> = {}): SourceCommand => ({ type: 'RateSource', data: aSourceRated(overrides).data });

/** Given past events, when a command is decided: the events it yields (or the error it throws). */
function given(events: readonly SourceEvent[]) {
  const state = events.reduce(sourceDecider.evolve, sourceDecider.initialState());
  return {
    when: (command: SourceCommand) => ({
      then: (expected: SourceEvent[]) => expect(sourceDecider.decide(command, state)).toEqual(expected),
      thenThrows: (error: new (...args: never[]) => Error, message?: RegExp) => {
        expect(() => sourceDecider.decide(command, state)).toThrow(error);
        if (message) expect(() => sourceDecider.decide(command, state)).toThrow(message);
      },
    }),
  };
}

describe('source decider', () => {
  describe('registering a source', () => {
    it('registers a new source', () => {
      given([]).when(register()).then([aSourceRegistered()]);
    });

    it('keeps the affiliation given', () => {
      given([]).when(register({ affiliation: 'kr-government' })).then([aSourceRegistered({ affiliation: 'kr-government' })]);
    });

    it('refuses to register the same id twice', () => {
      given([aSourceRegistered()]).when(register()).thenThrows(AlreadyExistsError);
    });
  });

  describe('rating a source', () => {
    it('rates a registered source, keeping a day as given', () => {
      given([aSourceRegistered()]).when(rate()).then([aSourceRated()]);
    });

    it('stores an instant in its UTC form, as claims are', () => {
      given([aSourceRegistered()])
        .when(rate({ reportedAt: '2024-10-25T09:30:00+02:00' }))
        .then([aSourceRated({ reportedAt: '2024-10-25T07:30:00.000Z' })]);
    });

    it('rates a source again after an earlier rating', () => {
      given([aSourceRegistered(), aSourceRated()])
        .when(rate({ reliability: 'D', reportedAt: '2024-11-02', reason: 'retracted two reports' }))
        .then([aSourceRated({ reliability: 'D', reportedAt: '2024-11-02', reason: 'retracted two reports' })]);
    });

    it('refuses to rate a source that is not registered', () => {
      given([]).when(rate({ sourceId: 'nobody' })).thenThrows(NotFoundError, /source 'nobody'/);
    });

    it('refuses an impossible reportedAt', () => {
      given([aSourceRegistered()]).when(rate({ reportedAt: '2024-02-30' })).thenThrows(InvalidInputError, /reportedAt/);
    });

    it('refuses a reliability that is not an Admiralty grade', () => {
      given([aSourceRegistered()])
        .when(rate({ reliability: 'G' as never }))
        .thenThrows(InvalidInputError, /reliability/);
    });
  });
});

describe('the origin of a source', () => {
  it.each([
    ['its affiliation when it has one', { id: 'sk-nis', affiliation: 'kr-government' }, 'kr-government'],
    ['its own id without one', { id: 'kremlin' }, 'kremlin'],
  ])('is %s', (_name, source, origin) => {
    expect(originOfSource(source)).toBe(origin);
  });
});
