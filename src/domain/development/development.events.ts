import { Event } from '../shared/event';

export const STANCES = ['asserts', 'confirms', 'denies'] as const;
export type Stance = (typeof STANCES)[number];

export const QUANTITY_QUALIFIERS = ['exact', 'about', 'at-least', 'at-most'] as const;
export type QuantityQualifier = (typeof QUANTITY_QUALIFIERS)[number];

/** Valid time: when it happened in the world. Any part may be absent; `label` keeps fuzzy wording. */
export type Occurred = Readonly<{ from?: string; to?: string; label?: string }>;
export type Quantity = Readonly<{ value: number; unit: string; qualifier: QuantityQualifier }>;
export type Publication = Readonly<{ title?: string; url?: string; publishedAt?: string }>;

/** The editable description of a development. */
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
  reportedAt: string;
  quantity?: Quantity;
  quote?: string;
  publication?: Publication;
  credibility?: number;
}>;

export type DevelopmentRecorded = Event<'DevelopmentRecorded', { developmentId: string } & DevelopmentFields>;
export type ClaimReported = Event<'ClaimReported', { developmentId: string; claimId: string } & ClaimFields>;
export type ClaimRetracted = Event<
  'ClaimRetracted',
  { developmentId: string; claimId: string; reportedAt: string; reason: string }
>;
export type DevelopmentCorrected = Event<
  'DevelopmentCorrected',
  { developmentId: string; changes: Partial<DevelopmentFields>; reason: string }
>;
export type ClaimCorrected = Event<
  'ClaimCorrected',
  { developmentId: string; claimId: string; changes: Partial<ClaimFields>; reason: string }
>;

export type DevelopmentEvent =
  | DevelopmentRecorded
  | ClaimReported
  | ClaimRetracted
  | DevelopmentCorrected
  | ClaimCorrected;

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
  'reportedAt',
  'quantity',
  'quote',
  'publication',
  'credibility',
] as const satisfies readonly (keyof ClaimFields)[];
