import { sourceDecider } from '../../src/domain/source/source.decider';
import { AlreadyExistsError } from '../../src/domain/shared/domain.errors';

describe('source decider', () => {
  const command = { type: 'RegisterSource', data: { sourceId: 'kremlin', name: 'Kremlin', kind: 'government', country: 'RU' } } as const;

  it('registers a new source', () => {
    expect(sourceDecider.decide(command, sourceDecider.initialState())).toEqual([{ type: 'SourceRegistered', data: command.data }]);
  });

  it('refuses to register the same id twice', () => {
    const state = sourceDecider.evolve(sourceDecider.initialState(), { type: 'SourceRegistered', data: command.data });
    expect(() => sourceDecider.decide(command, state)).toThrow(AlreadyExistsError);
  });
});
