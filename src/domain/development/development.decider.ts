import { AlreadyExistsError, InvalidInputError, NotFoundError, StateConflictError } from '../shared/domain.errors';
import { Command, Decider, assertNever } from '../shared/event';
import { requireReportedTime } from '../shared/time';
import { ClaimContext, ClaimInput, checkClaimCoherence, checkedClaimChanges, correctedClaim } from './claim-input';
import { ClaimFields, DevelopmentEvent, DevelopmentFields } from './development.events';
import { OccurredInput, requireOccurredInput } from './occurred-input';

/** Sources the handler found registered among those a command names (the domain reads no store). */
type KnownSources = { registeredSourceIds: readonly string[] };

/** A description (or its changes) as an editor gives it: `occurred` may be EDTF text or the older `{from, to}`. */
export type DevelopmentInput = Omit<DevelopmentFields, 'occurred'> & Readonly<{ occurred?: OccurredInput }>;

export type RecordDevelopment = Command<
  'RecordDevelopment',
  { developmentId: string; fields: DevelopmentInput; claimId: string; claim: ClaimInput } & KnownSources
>;
export type ReportClaim = Command<'ReportClaim', { developmentId: string; claimId: string; claim: ClaimInput } & KnownSources>;
export type RetractClaim = Command<
  'RetractClaim',
  { developmentId: string; claimId: string; reportedAt: string; reason: string }
>;
export type ReviseDevelopment = Command<
  'ReviseDevelopment',
  { developmentId: string; revisionId: string; changes: Partial<DevelopmentInput>; reportedAt: string; basisClaimId?: string; reason: string }
>;
export type CorrectDevelopment = Command<
  'CorrectDevelopment',
  { developmentId: string; revisionId?: string; changes: Partial<DevelopmentInput>; reason: string }
>;
export type CorrectClaim = Command<
  'CorrectClaim',
  { developmentId: string; claimId: string; changes: Partial<ClaimInput>; reason: string } & KnownSources
>;

export type DevelopmentCommand = RecordDevelopment | ReportClaim | RetractClaim | ReviseDevelopment | CorrectDevelopment | CorrectClaim;

type ClaimState = Readonly<{ fields: ClaimFields; reportedAtMs: number; retractedAt?: string }>;

export type DevelopmentState =
  | Readonly<{ recorded: false }>
  | Readonly<{
      recorded: true;
      developmentId: string;
      /** The description as first recorded (with its corrections): what the first claim made known. */
      fields: DevelopmentFields;
      /** Revisions by id, in the order recorded, each with its corrections applied. */
      revisions: ReadonlyMap<string, Readonly<{ changes: Partial<DevelopmentFields>; reportedAt: string; basisClaimId?: string }>>;
      claims: ReadonlyMap<string, ClaimState>;
      /**
       * The claim it was recorded with: the development becomes known when it is reported (SPEC §2),
       * even if a claim reported earlier is added later (that claim shows from then on).
       */
      firstClaimId?: string;
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

/** Description changes checked, `occurred` as EDTF (instants in UTC), so events hold one shape. */
function checkedDescription<T extends Partial<DevelopmentInput>>(input: T, prefix: string): Omit<T, 'occurred'> & Partial<Pick<DevelopmentFields, 'occurred'>> {
  if (input.occurred === undefined) return input as Omit<T, 'occurred'>;
  return { ...input, occurred: requireOccurredInput(input.occurred, prefix ? `${prefix}.occurred` : 'occurred') };
}

function requireChanges(changes: object, what: string): void {
  if (Object.keys(changes).length === 0) {
    throw new InvalidInputError(`a ${what} must change at least one field`, [{ field: 'changes', message: 'must name at least one field' }]);
  }
}

/** The development's claims as the checks see them (looked up in the state, not copied: a development may hold thousands). */
const claimContext = (state: Recorded | undefined, registeredSourceIds: readonly string[]): ClaimContext => ({
  registeredSourceIds,
  claims: {
    has: (id) => state?.claims.has(id) ?? false,
    get: (id) => {
      const claim = state?.claims.get(id);
      return claim && { reportedAtMs: claim.reportedAtMs, derivedFrom: claim.fields.derivedFrom };
    },
  },
});

/** A new claim checked and completed: the fields it will be reported with. */
function newClaim(claimId: string, input: ClaimInput, context: ClaimContext, prefix: string): ClaimFields {
  const claim = { ...input, ...checkedClaimChanges(claimId, input, context, prefix) } as ClaimFields;
  checkClaimCoherence(claimId, claim, context, prefix);
  return claim;
}

function decideRetraction(state: Recorded, data: RetractClaim['data']): DevelopmentEvent[] {
  const claim = requireClaim(state, data.claimId);
  if (claim.retractedAt !== undefined) {
    throw new StateConflictError(`claim '${data.claimId}' is already retracted`);
  }
  const at = requireReportedTime(data.reportedAt, 'reportedAt');
  if (at.ms < claim.reportedAtMs) {
    throw new InvalidInputError('a claim cannot be retracted before it was reported', [
      { field: 'reportedAt', message: `must not be before the claim's reportedAt (${claim.fields.reportedAt})` },
    ]);
  }
  return [{ type: 'ClaimRetracted', data: { ...data, reportedAt: at.text } }];
}

/**
 * A claim's knowledge time may not move after what rests on it: the claims repeating it and the
 * revisions based on it (they would be known before what they repeat or rest on).
 */
function checkClaimTime(state: Recorded, claimId: string, reportedAtMs: number, field: string): void {
  const refuse = (message: string, detail: string) => {
    throw new InvalidInputError(detail, [{ field, message }]);
  };
  const repetition = [...state.claims.values()].find((claim) => claim.fields.derivedFrom === claimId && claim.reportedAtMs < reportedAtMs);
  if (repetition) refuse(`must not be after a claim that repeats it (${repetition.fields.reportedAt})`, 'a claim cannot be known after a claim that repeats it');
  const revision = [...state.revisions.values()].find((r) => r.basisClaimId === claimId && requireReportedTime(r.reportedAt, 'reportedAt').ms < reportedAtMs);
  if (revision) refuse(`must not be after a revision based on it (${revision.reportedAt})`, 'a claim cannot be known after a revision that rests on it');
}

function decideClaimCorrection(state: Recorded, data: CorrectClaim['data']): DevelopmentEvent[] {
  const claim = requireClaim(state, data.claimId);
  requireChanges(data.changes, 'correction');
  const context = claimContext(state, data.registeredSourceIds);
  const changes = checkedClaimChanges(data.claimId, data.changes, context, 'changes');
  const next = correctedClaim(claim.fields, changes);
  if (changes.likelihood !== undefined && next.stance !== 'assesses') {
    throw new InvalidInputError('changes.likelihood is only for stance assesses', [{ field: 'changes.likelihood', message: 'is only for stance assesses' }]);
  }
  checkClaimCoherence(data.claimId, next, context, 'changes');
  if (changes.reportedAt !== undefined) checkClaimTime(state, data.claimId, requireReportedTime(changes.reportedAt, 'changes.reportedAt').ms, 'changes.reportedAt');
  if (changes.reportedAt !== undefined && claim.retractedAt !== undefined) {
    const retractedAt = requireReportedTime(claim.retractedAt, 'retraction.reportedAt');
    if (requireReportedTime(changes.reportedAt, 'changes.reportedAt').ms > retractedAt.ms) {
      throw new InvalidInputError('a retracted claim cannot be reported after its retraction', [
        { field: 'changes.reportedAt', message: `must not be after the retraction (${claim.retractedAt})` },
      ]);
    }
  }
  const { registeredSourceIds: _known, ...event } = data;
  return [{ type: 'ClaimCorrected', data: { ...event, changes } }];
}

function decideRevision(state: Recorded, data: ReviseDevelopment['data']): DevelopmentEvent[] {
  requireChanges(data.changes, 'revision');
  if (state.revisions.has(data.revisionId)) throw new StateConflictError(`revision '${data.revisionId}' already exists`);
  const at = requireReportedTime(data.reportedAt, 'reportedAt');
  if (data.basisClaimId !== undefined) {
    const basis = state.claims.get(data.basisClaimId);
    if (!basis) throw new NotFoundError('claim', data.basisClaimId, 'basisClaimId');
    if (at.ms < basis.reportedAtMs) {
      throw new InvalidInputError('a revision cannot be known before the claim it rests on', [
        { field: 'reportedAt', message: `must not be before the basis claim's reportedAt (${basis.fields.reportedAt})` },
      ]);
    }
  }
  const changes = checkedDescription(data.changes, 'changes');
  return [{ type: 'DevelopmentRevised', data: { ...data, changes, reportedAt: at.text } }];
}

function decideDevelopmentCorrection(state: Recorded, data: CorrectDevelopment['data']): DevelopmentEvent[] {
  requireChanges(data.changes, 'correction');
  if (data.revisionId !== undefined && !state.revisions.has(data.revisionId)) throw new NotFoundError('revision', data.revisionId, 'revisionId');
  // `occurred` is one field: a correction replaces it whole.
  return [{ type: 'DevelopmentCorrected', data: { ...data, changes: checkedDescription(data.changes, 'changes') } }];
}

export const developmentDecider: Decider<DevelopmentState, DevelopmentCommand, DevelopmentEvent> = {
  initialState: () => ({ recorded: false }),

  decide(command, state) {
    switch (command.type) {
      case 'RecordDevelopment': {
        const { developmentId, fields, claimId, claim, registeredSourceIds } = command.data;
        if (state.recorded) throw new AlreadyExistsError('development', developmentId);
        const description = checkedDescription(fields, '') as DevelopmentFields;
        const claimFields = newClaim(claimId, claim, claimContext(undefined, registeredSourceIds), 'claim');
        // A development becomes known with its first claim: both are appended atomically.
        return [
          { type: 'DevelopmentRecorded', data: { developmentId, ...description } },
          { type: 'ClaimReported', data: { developmentId, claimId, ...claimFields } },
        ];
      }
      case 'ReportClaim': {
        const { developmentId, claimId, claim, registeredSourceIds } = command.data;
        const recorded = requireRecorded(state, developmentId);
        if (recorded.claims.has(claimId)) throw new AlreadyExistsError('claim', claimId);
        const fields = newClaim(claimId, claim, claimContext(recorded, registeredSourceIds), '');
        return [{ type: 'ClaimReported', data: { developmentId, claimId, ...fields } }];
      }
      case 'RetractClaim':
        return decideRetraction(requireRecorded(state, command.data.developmentId), command.data);
      case 'ReviseDevelopment':
        return decideRevision(requireRecorded(state, command.data.developmentId), command.data);
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
        return { recorded: true, developmentId, fields, revisions: new Map(), claims: new Map() };
      }
      case 'ClaimReported': {
        if (!state.recorded) return state;
        const { developmentId: _d, claimId, ...fields } = event.data;
        return {
          ...state,
          claims: new Map(state.claims).set(claimId, { fields, reportedAtMs: knownFromMs(fields.reportedAt) }),
          firstClaimId: state.firstClaimId ?? claimId,
        };
      }
      case 'ClaimRetracted': {
        const claim = state.recorded ? state.claims.get(event.data.claimId) : undefined;
        if (!state.recorded || !claim) return state;
        const claims = new Map(state.claims).set(event.data.claimId, { ...claim, retractedAt: event.data.reportedAt });
        return { ...state, claims };
      }
      case 'DevelopmentRevised': {
        if (!state.recorded) return state;
        const { revisionId, changes, reportedAt, basisClaimId } = event.data;
        return { ...state, revisions: new Map(state.revisions).set(revisionId, { changes, reportedAt, ...(basisClaimId ? { basisClaimId } : {}) }) };
      }
      case 'DevelopmentCorrected': {
        if (!state.recorded) return state;
        const { revisionId, changes } = event.data;
        const revision = revisionId === undefined ? undefined : state.revisions.get(revisionId);
        if (revisionId === undefined) return { ...state, fields: { ...state.fields, ...changes } };
        if (!revision) return state;
        return { ...state, revisions: new Map(state.revisions).set(revisionId, { ...revision, changes: { ...revision.changes, ...changes } }) };
      }
      case 'ClaimCorrected': {
        const claim = state.recorded ? state.claims.get(event.data.claimId) : undefined;
        if (!state.recorded || !claim) return state;
        const fields = correctedClaim(claim.fields, event.data.changes);
        const claims = new Map(state.claims).set(event.data.claimId, { ...claim, fields, reportedAtMs: knownFromMs(fields.reportedAt) });
        return { ...state, claims };
      }
      default:
        return assertNever(event);
    }
  },
};

/** Knowledge-time ms a stored time counts from (validated when its event was decided). */
const knownFromMs = (text: string): number => requireReportedTime(text, 'reportedAt').ms;
