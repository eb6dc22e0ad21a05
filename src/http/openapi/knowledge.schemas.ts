import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { LIKELIHOODS, Likelihood, POINT_QUALIFIERS, PointQuantity, RangeQuantity, STANCES, Stance } from '../../domain/development/development.events';
import { OccurredView } from '../../domain/development/occurred';
import { ClaimSource, ClaimView, DevelopmentView } from '../../domain/knowledge/development-view';
import { EstimateChange } from '../../domain/knowledge/estimate-history';
import { DEVELOPMENT_STATUSES, Assessment, DevelopmentStatus, Estimate, Figure } from '../../domain/knowledge/status.rules';
import { TopicCount } from '../../domain/knowledge/topics';
import { RELIABILITY_GRADES, Reliability, SOURCE_KINDS, SourceKind } from '../../domain/source/source.events';
import { CHANGE_KINDS, ChangeKind, KnowledgeChange } from '../../projections/knowledge/knowledge-changes.queries';

/*
 * Response schemas of the knowledge routes. Each class implements the type the route returns, so a
 * field added there and not here fails to compile.
 */

const TIME_POINT = { description: 'the time point answered, as a UTC instant', example: '2024-10-24T00:00:00.000Z' };

@ApiSchema({ name: 'OccurredView', description: 'Valid time: when it happened, as an EDTF date or interval and its earliest/latest bounds.' })
export class OccurredViewSchema implements OccurredView {
  @ApiProperty({ type: String, nullable: true, example: '../2024-10-20' })
  edtf!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'YYYY-MM-DD or a UTC instant; null: open or unknown', example: null })
  earliest!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'YYYY-MM-DD or a UTC instant; null: open or unknown', example: '2024-10-20' })
  latest!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "the source's wording", example: 'under way when Zelensky spoke, last week' })
  label!: string | null;
}

@ApiSchema({ name: 'ClaimSource', description: 'The source of a claim, with its reliability as of the view; name and kind null only for a source not recorded by then.' })
export class ClaimSourceSchema implements ClaimSource {
  @ApiProperty({ example: 'sk-nis' })
  id!: string;

  @ApiProperty({ type: String, nullable: true, example: "South Korea's National Intelligence Service (NIS)" })
  name!: string | null;

  @ApiProperty({ enum: SOURCE_KINDS, enumName: 'SourceKind', nullable: true, example: 'intelligence' })
  kind!: SourceKind | null;

  @ApiProperty({ enum: RELIABILITY_GRADES, enumName: 'Reliability', nullable: true, example: 'B' })
  reliability!: Reliability | null;
}

@ApiSchema({ name: 'PointQuantity' })
export class PointQuantitySchema implements PointQuantity {
  @ApiProperty({ example: 'deployed' })
  measure!: string;

  @ApiProperty({ example: 'troops' })
  unit!: string;

  @ApiProperty({ example: 3000 })
  value!: number;

  @ApiProperty({ enum: POINT_QUALIFIERS, example: 'about' })
  qualifier!: PointQuantity['qualifier'];
}

@ApiSchema({ name: 'RangeQuantity' })
export class RangeQuantitySchema implements RangeQuantity {
  @ApiProperty({ example: 'deployed' })
  measure!: string;

  @ApiProperty({ example: 'troops' })
  unit!: string;

  @ApiProperty({ example: 1500 })
  min!: number;

  @ApiProperty({ example: 12000 })
  max!: number;

  @ApiProperty({ enum: ['range'], example: 'range' })
  qualifier!: 'range';
}

@ApiSchema({ name: 'Publication' })
export class PublicationSchema {
  @ApiPropertyOptional()
  title?: string;

  @ApiPropertyOptional()
  url?: string;

  @ApiPropertyOptional({ example: '2024-10-24' })
  publishedAt?: string;
}

const QUANTITY = {
  oneOf: [{ $ref: getSchemaPath(PointQuantitySchema) }, { $ref: getSchemaPath(RangeQuantitySchema) }],
  nullable: true,
};

@ApiSchema({ name: 'ClaimView', description: 'An active claim as known at the view: what one source said, when, and how.' })
@ApiExtraModels(PointQuantitySchema, RangeQuantitySchema)
export class ClaimViewSchema implements ClaimView {
  @ApiProperty({ example: 'troops-nis-1500' })
  id!: string;

  @ApiProperty({ type: () => ClaimSourceSchema })
  source!: ClaimSourceSchema;

  @ApiProperty({ enum: STANCES, enumName: 'Stance', example: 'asserts' })
  stance!: Stance;

  @ApiProperty({ enum: LIKELIHOODS, enumName: 'Likelihood', nullable: true, description: 'only with stance assesses', example: null })
  likelihood!: Likelihood | null;

  @ApiProperty({ description: 'knowledge time, as given', example: '2024-10-18' })
  reportedAt!: string;

  @ApiProperty(QUANTITY)
  quantity!: PointQuantitySchema | RangeQuantitySchema | null;

  @ApiProperty({ type: String, nullable: true })
  quote!: string | null;

  @ApiProperty({ type: () => PublicationSchema, nullable: true })
  publication!: PublicationSchema | null;

  @ApiProperty({ type: [String], description: 'the sources that relayed it, nearest the speaker first', example: ['bbc'] })
  via!: string[];

  @ApiProperty({ type: String, nullable: true, description: 'the claim it merely repeats' })
  derivedFrom!: string | null;

  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 6, description: 'Admiralty information credibility' })
  credibility!: number | null;
}

@ApiSchema({ name: 'Figure', description: "One source's latest figure for a measure: `value`, or `min` and `max` for a range." })
export class FigureSchema implements Figure {
  @ApiProperty({ example: 'troops-nis-1500' })
  claimId!: string;

  @ApiProperty({ example: 'sk-nis' })
  sourceId!: string;

  @ApiProperty({ example: '2024-10-18' })
  reportedAt!: string;

  @ApiProperty({ enum: [...POINT_QUALIFIERS, 'range'], example: 'about' })
  qualifier!: Figure['qualifier'];

  @ApiPropertyOptional({ example: 1500 })
  value?: number;

  @ApiPropertyOptional()
  min?: number;

  @ApiPropertyOptional()
  max?: number;
}

@ApiSchema({ name: 'Estimate', description: 'Per measure and unit: the span of the figures of the active stating claims.' })
export class EstimateSchema implements Estimate {
  @ApiProperty({ example: 'deployed' })
  measure!: string;

  @ApiProperty({ example: 'troops' })
  unit!: string;

  @ApiProperty({ example: 1500 })
  low!: number;

  @ApiProperty({ example: 12000 })
  high!: number;

  @ApiProperty({ type: () => [FigureSchema] })
  figures!: FigureSchema[];
}

@ApiSchema({ name: 'Assessment' })
export class AssessmentSchema implements Assessment {
  @ApiProperty({ example: 'us-defense-department' })
  sourceId!: string;

  @ApiProperty({ enum: LIKELIHOODS, enumName: 'Likelihood', example: 'likely' })
  likelihood!: Likelihood;
}

@ApiSchema({ name: 'DevelopmentView', description: 'A development as known at (asOf, recordedAsOf): its description then, its status and estimates, its active claims.' })
export class DevelopmentViewSchema implements DevelopmentView {
  @ApiProperty({ example: 'north-korea-prepares-soldiers-to-join-russian-forces' })
  id!: string;

  @ApiProperty({ example: 'North Korea prepares about 10,000 soldiers to join Russian forces' })
  title!: string;

  @ApiProperty({ type: String, nullable: true })
  summary!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'military' })
  category!: string | null;

  @ApiProperty({ type: () => OccurredViewSchema, nullable: true })
  occurred!: OccurredViewSchema | null;

  @ApiProperty({ type: String, nullable: true, example: 'North Korea' })
  location!: string | null;

  @ApiProperty({ type: [String], example: ['North Korea', 'Russia'] })
  actors!: string[];

  @ApiProperty({ type: [String], example: ['north-korea-russia', 'troops'] })
  topics!: string[];

  @ApiProperty({ enum: DEVELOPMENT_STATUSES, enumName: 'DevelopmentStatus', description: 'SPEC §2 status over the active claims', example: 'reported' })
  status!: DevelopmentStatus;

  @ApiProperty({ type: [String], description: 'source ids', example: ['zelensky'] })
  assertedBy!: string[];

  @ApiProperty({ type: [String], example: [] })
  confirmedBy!: string[];

  @ApiProperty({ type: [String], example: [] })
  deniedBy!: string[];

  @ApiProperty({ type: () => [AssessmentSchema] })
  assessedBy!: AssessmentSchema[];

  @ApiProperty({ type: [String], example: [] })
  noEvidenceBy!: string[];

  @ApiProperty({ type: () => [EstimateSchema] })
  estimates!: EstimateSchema[];

  @ApiProperty({ description: 'reportedAt of the first claim known', example: '2024-10-17' })
  firstReportedAt!: string;

  @ApiProperty({ description: 'reportedAt of the latest claim known', example: '2024-10-18' })
  lastReportedAt!: string;

  @ApiProperty({ type: () => [ClaimViewSchema], description: 'active claims, by reportedAt' })
  claims!: ClaimViewSchema[];
}

@ApiSchema({ name: 'KnowledgePage', description: 'Developments known at (asOf, recordedAsOf), in occurred order, a page at a time.' })
export class KnowledgePageSchema {
  @ApiProperty(TIME_POINT)
  asOf!: string;

  @ApiProperty(TIME_POINT)
  recordedAsOf!: string;

  @ApiProperty({ type: () => [DevelopmentViewSchema] })
  items!: DevelopmentViewSchema[];

  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page; null on the last', example: null })
  nextCursor!: string | null;
}

@ApiSchema({ name: 'StatusChange' })
export class StatusChangeSchema {
  @ApiProperty({ enum: DEVELOPMENT_STATUSES, enumName: 'DevelopmentStatus', nullable: true, example: 'reported' })
  from!: DevelopmentStatus | null;

  @ApiProperty({ enum: DEVELOPMENT_STATUSES, enumName: 'DevelopmentStatus', example: 'confirmed' })
  to!: DevelopmentStatus;
}

@ApiSchema({ name: 'EstimateState', description: 'An estimate from then on; low and high null once its figures are all retracted.' })
export class EstimateStateSchema {
  @ApiProperty({ example: 'deployed' })
  measure!: string;

  @ApiProperty({ example: 'troops' })
  unit!: string;

  @ApiProperty({ type: Number, nullable: true, example: 1500 })
  low!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 12000 })
  high!: number | null;
}

@ApiSchema({ name: 'KnowledgeChange', description: 'One thing that became known; the fields present depend on `kind`.' })
export class KnowledgeChangeSchema implements KnowledgeChange {
  @ApiProperty({ description: 'knowledge time it became known', example: '2024-10-23' })
  at!: string;

  @ApiProperty({ description: 'log position of the fact that caused it', example: 57 })
  position!: number;

  @ApiProperty({ example: 'us-confirms-north-korean-troops-in-russia' })
  developmentId!: string;

  @ApiProperty({ enum: CHANGE_KINDS, enumName: 'ChangeKind', example: 'claim-reported' })
  kind!: ChangeKind;

  @ApiPropertyOptional({ description: 'claim-reported, claim-retracted' })
  claimId?: string;

  @ApiPropertyOptional({ description: 'claim-reported, claim-retracted', example: 'us-government' })
  sourceId?: string;

  @ApiPropertyOptional({ enum: STANCES, enumName: 'Stance', description: "claim-reported: the claim's stance", example: 'asserts' })
  stance?: Stance;

  @ApiPropertyOptional({ enum: LIKELIHOODS, enumName: 'Likelihood', description: 'claim-reported with stance assesses' })
  likelihood?: Likelihood;

  @ApiPropertyOptional({ description: "claim-reported: the claim's quantity", oneOf: QUANTITY.oneOf })
  quantity?: PointQuantitySchema | RangeQuantitySchema;

  @ApiPropertyOptional({ description: 'development-revised' })
  revisionId?: string;

  @ApiPropertyOptional({ type: [String], description: 'development-revised: the fields it changed', example: ['title'] })
  fields?: string[];

  @ApiPropertyOptional({ type: () => StatusChangeSchema, description: 'development-reported, status-changed' })
  status?: StatusChangeSchema;

  @ApiPropertyOptional({ type: () => EstimateStateSchema, description: 'estimate-changed' })
  estimate?: EstimateStateSchema;
}

@ApiSchema({ name: 'KnowledgeChanges', description: 'What became known in knowledge time (from, to], as recorded by recordedAsOf.' })
export class KnowledgeChangesSchema {
  @ApiProperty({ type: String, nullable: true, description: 'null: from the beginning', example: '2024-10-17T00:00:00.000Z' })
  from!: string | null;

  @ApiProperty(TIME_POINT)
  to!: string;

  @ApiProperty(TIME_POINT)
  recordedAsOf!: string;

  @ApiProperty({ type: () => [KnowledgeChangeSchema] })
  items!: KnowledgeChangeSchema[];
}

@ApiSchema({ name: 'EstimateChange', description: 'One moment an estimate changed: its state from then on; low/high null and no figures once it has none.' })
export class EstimateChangeSchema implements EstimateChange {
  @ApiProperty({ example: '2024-10-18' })
  at!: string;

  @ApiProperty({ example: 'deployed' })
  measure!: string;

  @ApiProperty({ example: 'troops' })
  unit!: string;

  @ApiProperty({ type: Number, nullable: true, example: 1500 })
  low!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 3000 })
  high!: number | null;

  @ApiProperty({ type: () => [FigureSchema] })
  figures!: FigureSchema[];
}

@ApiSchema({ name: 'EstimateHistory' })
export class EstimateHistorySchema {
  @ApiProperty({ type: () => [EstimateChangeSchema], description: 'by time, then measure, then unit' })
  items!: EstimateChangeSchema[];
}

@ApiSchema({ name: 'TopicCount' })
export class TopicCountSchema implements TopicCount {
  @ApiProperty({ example: 'troops' })
  topic!: string;

  @ApiProperty({ example: 6 })
  developments!: number;
}

@ApiSchema({ name: 'Topics', description: 'Topics of the developments known at (asOf, recordedAsOf), with counts.' })
export class TopicsSchema {
  @ApiProperty(TIME_POINT)
  asOf!: string;

  @ApiProperty(TIME_POINT)
  recordedAsOf!: string;

  @ApiProperty({ type: () => [TopicCountSchema] })
  items!: TopicCountSchema[];
}
