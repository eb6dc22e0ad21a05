import { AlreadyExistsError } from '../shared/domain.errors';
import { Command, Decider, assertNever } from '../shared/event';
import { SourceEvent, SourceProfile } from './source.events';

export type RegisterSource = Command<'RegisterSource', { sourceId: string } & SourceProfile>;
export type SourceCommand = RegisterSource;

export type SourceState =
  | Readonly<{ registered: false }>
  | Readonly<{ registered: true; sourceId: string; profile: SourceProfile }>;

export const sourceDecider: Decider<SourceState, SourceCommand, SourceEvent> = {
  initialState: () => ({ registered: false }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterSource':
        if (state.registered) throw new AlreadyExistsError('source', command.data.sourceId);
        return [{ type: 'SourceRegistered', data: command.data }];
      default:
        return assertNever(command.type);
    }
  },

  evolve(_state, event) {
    switch (event.type) {
      case 'SourceRegistered': {
        const { sourceId, ...profile } = event.data;
        return { registered: true, sourceId, profile };
      }
      default:
        return assertNever(event.type);
    }
  },
};
