import { AlreadyExistsError, InvalidInputError, NotFoundError, StateConflictError } from '../shared/domain.errors';
import { Command, Decider, assertNever } from '../shared/event';
import { requireReportedTime } from '../shared/time';
import {
  ClaimFields,
  DevelopmentEvent,
  DevelopmentFields,
  Occurred,
} from './development.events';

/** Sources the handler found registered among those a command names (the domain reads no store). */
type KnownSources = { registeredSourceIds: readonly string[] };

export type RecordDevelopment = Command<
  'RecordDevelopment',
  { developmentId: string; fields: DevelopmentFields; claimId: string; claim: ClaimFields } & KnownSources
>;
export type ReportClaim = Command<
  'ReportClaim',
  { developmentId: string; claimId: string; claim: ClaimFields } & KnownSources
>;
export type RetractClaim = Command<
  'RetractClaim',
  { developmentId: string; claimId: string; reportedAt: string; reason: string }
>;
export type CorrectDevelopment = Command<
  'CorrectDevelopment',
  { developmentId: string; changes: Partial<DevelopmentFields>; reason: string }
>;
export type CorrectClaim = Command<
  'CorrectClaim',
  { developmentId: string; claimId: string; changes: Partial<ClaimFields>; reason: string } & KnownSources
>;

export type DevelopmentCommand = RecordDevelopment | ReportClaim | RetractClaim | CorrectDevelopment | CorrectClaim;

type ClaimState = Readonly<{ fields: ClaimFields; retractedAt?: string }>;

export type DevelopmentState =
  | Readonly<{ recorded: false }>
  | Readonly<{
      recorded: true;
      developmentId: string;
      fields: DevelopmentFields;
      claims: ReadonlyMap<string, ClaimState>;
    }>;

type Recorded = Extract<DevelopmentState, { recorded: true }>;

function requireRecorded(state: DevelopmentState, developmentId: string): Recorded {
  if (!state.recorded) throw new NotFoundError('development', developmentId);
  return state;
}

function requireClaim(state: Recorded, claimId: string): ClaimState {
  const claim = state.claims.get(claimId);
  if (!claim) throw new NotFoundError('claim', claimId);
  return claim;
}

/** `occurred` checked, its instants in UTC (dates stay dates), so events never hold an offset. */
function occurredInUtc(occurred: Occurred | undefined, field: string): Occurred | undefined {
  if (!occurred) return undefined;
  const from = occurred.from === undefined ? undefined : requireReportedTime(occurred.from, `${field}.from`);
  const to = occurred.to === undefined ? undefined : requireReportedTime(occurred.to, `${field}.to`);
  if (from && to && to.ms < from.ms) {
    throw new InvalidInputError('occurred.to is before occurred.from', [
      { field: `${field}.to`, message: 'must not be before occurred.from' },
    ]);
  }
  return { ...occurred, ...(from ? { from: from.text } : {}), ...(to ? { to: to.text } : {}) };
}

/** A field's path in the command's input: `prefix` is where the claim sits ('' when it is the input). */
const fieldPath = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

/** A claim (or its changes) checked, its times in UTC as in {@link occurredInUtc}. */
function claimInUtc<T extends Partial<ClaimFields>>(claim: T, known: readonly string[], prefix: string): T {
  const reportedAt = claim.reportedAt === undefined ? undefined : requireReportedTime(claim.reportedAt, fieldPath(prefix, 'reportedAt'));
  if (claim.sourceId !== undefined && !known.includes(claim.sourceId)) {
    throw new NotFoundError('source', claim.sourceId, fieldPath(prefix, 'sourceId'));
  }
  const publishedAt = claim.publication?.publishedAt;
  const published = publishedAt === undefined ? undefined : requireReportedTime(publishedAt, fieldPath(prefix, 'publication.publishedAt'));
  return {
    ...claim,
    ...(reportedAt ? { reportedAt: reportedAt.text } : {}),
    ...(published ? { publication: { ...claim.publication, publishedAt: published.text } } : {}),
  };
}

function requireChanges(changes: object): void {
  if (Object.keys(changes).length === 0) {
    throw new InvalidInputError('a correction must change at least one field', [
      { field: 'changes', message: 'must name at least one field' },
    ]);
  }
}

function decideRetraction(state: Recorded, data: RetractClaim['data']): DevelopmentEvent[] {
  const claim = requireClaim(state, data.claimId);
  if (claim.retractedAt !== undefined) {
    throw new StateConflictError(`claim '${data.claimId}' is already retracted`);
  }
  const at = requireReportedTime(data.reportedAt, 'reportedAt');
  if (at.ms < requireReportedTime(claim.fields.reportedAt, 'reportedAt').ms) {
    throw new InvalidInputError('a claim cannot be retracted before it was reported', [
      { field: 'reportedAt', message: `must not be before the claim's reportedAt (${claim.fields.reportedAt})` },
    ]);
  }
  return [{ type: 'ClaimRetracted', data: { ...data, reportedAt: at.text } }];
}

function decideClaimCorrection(state: Recorded, data: CorrectClaim['data']): DevelopmentEvent[] {
  const claim = requireClaim(state, data.claimId);
  requireChanges(data.changes);
  const changes = claimInUtc(data.changes, data.registeredSourceIds, 'changes');
  const reportedAt = changes.reportedAt;
  if (reportedAt !== undefined && claim.retractedAt !== undefined) {
    const retractedAt = requireReportedTime(claim.retractedAt, 'retraction.reportedAt');
    if (requireReportedTime(reportedAt, 'changes.reportedAt').ms > retractedAt.ms) {
      throw new InvalidInputError('a retracted claim cannot be reported after its retraction', [
        { field: 'changes.reportedAt', message: `must not be after the retraction (${claim.retractedAt})` },
      ]);
    }
  }
  const { registeredSourceIds: _known, ...event } = data;
  return [{ type: 'ClaimCorrected', data: { ...event, changes } }];
}

function decideDevelopmentCorrection(state: Recorded, data: CorrectDevelopment['data']): DevelopmentEvent[] {
  requireChanges(data.changes);
  // `occurred` is one field: a correction replaces it whole.
  const occurred = occurredInUtc(data.changes.occurred, 'changes.occurred');
  return [{ type: 'DevelopmentCorrected', data: { ...data, changes: { ...data.changes, ...(occurred ? { occurred } : {}) } } }];
}

/** Applies a correction: listed fields replace the old ones, unlisted fields stay. */
function corrected<T extends object>(fields: T, changes: Partial<T>): T {
  return { ...fields, ...changes };
}

export const developmentDecider: Decider<DevelopmentState, DevelopmentCommand, DevelopmentEvent> = {
  initialState: () => ({ recorded: false }),

  decide(command, state) {
    switch (command.type) {
      case 'RecordDevelopment': {
        const { developmentId, fields, claimId, claim, registeredSourceIds } = command.data;
        if (state.recorded) throw new AlreadyExistsError('development', developmentId);
        const occurred = occurredInUtc(fields.occurred, 'occurred');
        const claimFields = claimInUtc(claim, registeredSourceIds, 'claim');
        // A development becomes known with its first claim: both are appended atomically.
        return [
          { type: 'DevelopmentRecorded', data: { developmentId, ...fields, ...(occurred ? { occurred } : {}) } },
          { type: 'ClaimReported', data: { developmentId, claimId, ...claimFields } },
        ];
      }
      case 'ReportClaim': {
        const { developmentId, claimId, claim, registeredSourceIds } = command.data;
        const recorded = requireRecorded(state, developmentId);
        if (recorded.claims.has(claimId)) throw new AlreadyExistsError('claim', claimId);
        return [{ type: 'ClaimReported', data: { developmentId, claimId, ...claimInUtc(claim, registeredSourceIds, '') } }];
      }
      case 'RetractClaim':
        return decideRetraction(requireRecorded(state, command.data.developmentId), command.data);
      case 'CorrectDevelopment':
        return decideDevelopmentCorrection(requireRecorded(state, command.data.developmentId), command.data);
      case 'CorrectClaim':
        return decideClaimCorrection(requireRecorded(state, command.data.developmentId), command.data);
      default:
        return assertNever(command);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'DevelopmentRecorded': {
        const { developmentId, ...fields } = event.data;
        return { recorded: true, developmentId, fields, claims: new Map() };
      }
      case 'ClaimReported': {
        if (!state.recorded) return state;
        const { developmentId: _d, claimId, ...fields } = event.data;
        return { ...state, claims: new Map(state.claims).set(claimId, { fields }) };
      }
      case 'ClaimRetracted': {
        const claim = state.recorded ? state.claims.get(event.data.claimId) : undefined;
        if (!state.recorded || !claim) return state;
        const claims = new Map(state.claims).set(event.data.claimId, { ...claim, retractedAt: event.data.reportedAt });
        return { ...state, claims };
      }
      case 'DevelopmentCorrected':
        return state.recorded ? { ...state, fields: corrected(state.fields, event.data.changes) } : state;
      case 'ClaimCorrected': {
        const claim = state.recorded ? state.claims.get(event.data.claimId) : undefined;
        if (!state.recorded || !claim) return state;
        const claims = new Map(state.claims).set(event.data.claimId, {
          ...claim,
          fields: corrected(claim.fields, event.data.changes),
        });
        return { ...state, claims };
      }
      default:
        return assertNever(event);
    }
  },
};
