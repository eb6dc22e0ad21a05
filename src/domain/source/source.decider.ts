import { AlreadyExistsError, InvalidInputError, NotFoundError } from '../shared/domain.errors';
import { Command, Decider, assertNever } from '../shared/event';
import { requireReportedTime } from '../shared/time';
import { RELIABILITY_GRADES, Reliability, SourceEvent, SourceProfile } from './source.events';

export type RegisterSource = Command<'RegisterSource', { sourceId: string } & SourceProfile>;
export type RateSource = Command<'RateSource', { sourceId: string; reliability: Reliability; reportedAt: string; reason: string }>;
export type SourceCommand = RegisterSource | RateSource;

export type SourceState =
  | Readonly<{ registered: false }>
  | Readonly<{ registered: true; sourceId: string; profile: SourceProfile }>;

function decideRating(state: SourceState, data: RateSource['data']): SourceEvent[] {
  if (!state.registered) throw new NotFoundError('source', data.sourceId);
  if (!(RELIABILITY_GRADES as readonly string[]).includes(data.reliability)) {
    throw new InvalidInputError('reliability is not an Admiralty grade', [{ field: 'reliability', message: `must be one of ${RELIABILITY_GRADES.join(', ')}` }]);
  }
  // Stored as the views answer it: a day as given, an instant in UTC (as claims are).
  const reportedAt = requireReportedTime(data.reportedAt, 'reportedAt');
  return [{ type: 'SourceRated', data: { ...data, reportedAt: reportedAt.text } }];
}

export const sourceDecider: Decider<SourceState, SourceCommand, SourceEvent> = {
  initialState: () => ({ registered: false }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterSource':
        if (state.registered) throw new AlreadyExistsError('source', command.data.sourceId);
        return [{ type: 'SourceRegistered', data: command.data }];
      case 'RateSource':
        return decideRating(state, command.data);
      default:
        return assertNever(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'SourceRegistered': {
        const { sourceId, ...profile } = event.data;
        return { registered: true, sourceId, profile };
      }
      case 'SourceRated':
        // Ratings live in the read model; no later decision depends on them.
        return state;
      default:
        return assertNever(event);
    }
  },
};
