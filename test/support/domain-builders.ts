import { DevelopmentCommand, DevelopmentState, developmentDecider } from '../../src/domain/development/development.decider';
import {
  ClaimFields,
  ClaimReported,
  ClaimRetracted,
  DevelopmentEvent,
  DevelopmentRecorded,
} from '../../src/domain/development/development.events';

export const aClaim = (overrides: Partial<ClaimFields> = {}): ClaimFields => ({
  sourceId: 'sk-nis',
  stance: 'asserts',
  reportedAt: '2024-10-18',
  ...overrides,
});

export const aDevelopmentRecorded = (overrides: Partial<DevelopmentRecorded['data']> = {}): DevelopmentRecorded => ({
  type: 'DevelopmentRecorded',
  data: { developmentId: 'troops', title: 'Troops sent', topics: ['troops'], ...overrides },
});

export const aClaimReported = (overrides: Partial<ClaimReported['data']> = {}): ClaimReported => ({
  type: 'ClaimReported',
  data: { developmentId: 'troops', claimId: 'c1', ...aClaim(), ...overrides },
});

export const aClaimRetracted = (overrides: Partial<ClaimRetracted['data']> = {}): ClaimRetracted => ({
  type: 'ClaimRetracted',
  data: { developmentId: 'troops', claimId: 'c1', reportedAt: '2024-10-25', reason: 'withdrawn', ...overrides },
});

/** Given past events, when a command is decided: the events it yields (or the error it throws). */
export function given(events: readonly DevelopmentEvent[]) {
  const state = events.reduce<DevelopmentState>(developmentDecider.evolve, developmentDecider.initialState());
  return {
    when: (command: DevelopmentCommand) => ({
      then: (expected: DevelopmentEvent[]) => expect(developmentDecider.decide(command, state)).toEqual(expected),
      thenThrows: (error: new (...args: never[]) => Error, message?: RegExp) => {
        expect(() => developmentDecider.decide(command, state)).toThrow(error);
        if (message) expect(() => developmentDecider.decide(command, state)).toThrow(message);
      },
    }),
  };
}
