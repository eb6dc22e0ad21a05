import { Event } from '../shared/event';
import { UpcastOccurred } from './occurred';

/**
 * How strongly a claim says it (SPEC §2): `asserts` it happened, an authority `confirms` it, `denies`
 * it, `assesses` how likely it is (with a `likelihood`), or has `no-evidence` either way.
 */
export const STANCES = ['asserts', 'confirms', 'denies', 'assesses', 'no-evidence'] as const;
export type Stance = (typeof STANCES)[number];

/** The ICD 203 likelihood scale, least to most likely: the words an assessment is made in. */
export const LIKELIHOODS = [
  'almost-no-chance',
  'very-unlikely',
  'unlikely',
  'roughly-even-chance',
  'likely',
  'very-likely',
  'almost-certain',
] as const;
export type Likelihood = (typeof LIKELIHOODS)[number];

export const POINT_QUALIFIERS = ['exact', 'about', 'at-least', 'at-most'] as const;
export const QUANTITY_QUALIFIERS = [...POINT_QUALIFIERS, 'range'] as const;
export type QuantityQualifier = (typeof QUANTITY_QUALIFIERS)[number];

/** One number; `measure` says what is counted (`deployed`, `planned`, ...), figures of different measures never merge. */
export type PointQuantity = Readonly<{ measure: string; unit: string; value: number; qualifier: (typeof POINT_QUALIFIERS)[number] }>;
/** A range the source gave ("1,500 or 12,000"). */
export type RangeQuantity = Readonly<{ measure: string; unit: string; min: number; max: number; qualifier: 'range' }>;
export type Quantity = PointQuantity | RangeQuantity;

/**
 * Valid time: when it happened in the world, an EDTF (ISO 8601-2 level 1) date or interval, with an
 * optional label keeping the source's wording. Stored events of schema version 1 held `{from, to}`
 * (upcast to `edtf`; one that had only a label keeps only its label).
 */
export type Occurred = UpcastOccurred;
export type Publication = Readonly<{ title?: string; url?: string; publishedAt?: string }>;

/** The description of a development: known in time through revisions, mended by corrections. */
export type DevelopmentFields = Readonly<{
  title: string;
  summary?: string;
  category?: string;
  occurred?: Occurred;
  location?: string;
  actors?: readonly string[];
  topics?: readonly string[];
}>;

/** What one source said about one development at one time. `reportedAt` is knowledge time. */
export type ClaimFields = Readonly<{
  sourceId: string;
  stance: Stance;
  /** Only with `assesses`, and required by it. */
  likelihood?: Likelihood;
  reportedAt: string;
  quantity?: Quantity;
  quote?: string;
  publication?: Publication;
  /** The sources that relayed it, nearest the speaker first: never a second origin. */
  via?: readonly string[];
  /** The claim of the same development it merely repeats: it counts as that claim's origin. */
  derivedFrom?: string;
  credibility?: number;
}>;

export type DevelopmentRecorded = Event<'DevelopmentRecorded', { developmentId: string } & DevelopmentFields>;
export type ClaimReported = Event<'ClaimReported', { developmentId: string; claimId: string } & ClaimFields>;
export type ClaimRetracted = Event<
  'ClaimRetracted',
  { developmentId: string; claimId: string; reportedAt: string; reason: string }
>;
/** Detail learned later: shown only in views as of its `reportedAt` (knowledge time). */
export type DevelopmentRevised = Event<
  'DevelopmentRevised',
  { developmentId: string; revisionId: string; changes: Partial<DevelopmentFields>; reportedAt: string; basisClaimId?: string; reason: string }
>;
/** An erratum (transaction time): mends the description as first recorded, or one revision (`revisionId`). */
export type DevelopmentCorrected = Event<
  'DevelopmentCorrected',
  { developmentId: string; revisionId?: string; changes: Partial<DevelopmentFields>; reason: string }
>;
export type ClaimCorrected = Event<
  'ClaimCorrected',
  { developmentId: string; claimId: string; changes: Partial<ClaimFields>; reason: string }
>;

export type DevelopmentEvent =
  | DevelopmentRecorded
  | ClaimReported
  | ClaimRetracted
  | DevelopmentRevised
  | DevelopmentCorrected
  | ClaimCorrected;

export const DEVELOPMENT_EVENT_TYPES: ReadonlySet<string> = new Set<DevelopmentEvent['type']>([
  'DevelopmentRecorded',
  'ClaimReported',
  'ClaimRetracted',
  'DevelopmentRevised',
  'DevelopmentCorrected',
  'ClaimCorrected',
]);

export const developmentStreamId = (developmentId: string): string => `development-${developmentId}`;

export const DEVELOPMENT_FIELD_NAMES = [
  'title',
  'summary',
  'category',
  'occurred',
  'location',
  'actors',
  'topics',
] as const satisfies readonly (keyof DevelopmentFields)[];

export const CLAIM_FIELD_NAMES = [
  'sourceId',
  'stance',
  'likelihood',
  'reportedAt',
  'quantity',
  'quote',
  'publication',
  'via',
  'derivedFrom',
  'credibility',
] as const satisfies readonly (keyof ClaimFields)[];
