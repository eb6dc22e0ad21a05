import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { RELIABILITY_GRADES, Reliability, SOURCE_KINDS, SourceKind } from '../../domain/source/source.events';
import { SourceClaimView } from '../../projections/knowledge/knowledge.queries';
import { RatingView, SourceDetailView, SourceView } from '../../projections/knowledge/sources.queries';
import { ClaimViewSchema } from './knowledge.schemas';

/* Response schemas of the source routes; each class implements the type the route returns. */

const TIME_POINT = { description: 'the time point answered, as a UTC instant', example: '2024-10-24T00:00:00.000Z' };

@ApiSchema({ name: 'SourceView', description: 'A source as recorded by recordedAsOf, with its reliability as of asOf.' })
export class SourceViewSchema implements SourceView {
  @ApiProperty({ example: 'sk-nis' })
  id!: string;

  @ApiProperty({ example: "South Korea's National Intelligence Service (NIS)" })
  name!: string;

  @ApiProperty({ enum: SOURCE_KINDS, enumName: 'SourceKind', example: 'intelligence' })
  kind!: SourceKind;

  @ApiProperty({ type: String, nullable: true, description: 'ISO 3166-1 alpha-2', example: 'KR' })
  country!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'the origin it belongs to; null: its own', example: 'kr-government' })
  affiliation!: string | null;

  @ApiProperty({ enum: RELIABILITY_GRADES, enumName: 'Reliability', nullable: true, example: 'B' })
  reliability!: Reliability | null;
}

@ApiSchema({ name: 'Rating' })
export class RatingSchema implements RatingView {
  @ApiProperty({ enum: RELIABILITY_GRADES, enumName: 'Reliability', example: 'C' })
  reliability!: Reliability;

  @ApiProperty({ description: 'knowledge time of the rating', example: '2024-10-25' })
  reportedAt!: string;

  @ApiProperty({ example: 'two of its reports were contradicted by satellite imagery' })
  reason!: string;
}

@ApiSchema({ name: 'SourceDetail', description: 'One source with the ratings known then, in knowledge order.' })
export class SourceDetailSchema extends SourceViewSchema implements SourceDetailView {
  @ApiProperty({ type: () => [RatingSchema] })
  ratings!: RatingSchema[];
}

@ApiSchema({ name: 'Sources' })
export class SourcesSchema {
  @ApiProperty(TIME_POINT)
  asOf!: string;

  @ApiProperty(TIME_POINT)
  recordedAsOf!: string;

  @ApiProperty({ type: () => [SourceViewSchema], description: 'by id' })
  items!: SourceViewSchema[];
}

@ApiSchema({ name: 'SourceClaim', description: "A claim of the source's, with the development it is about (its title as known then) and its retraction if known then." })
export class SourceClaimSchema extends ClaimViewSchema implements SourceClaimView {
  @ApiProperty({ example: 'north-korea-prepares-soldiers-to-join-russian-forces' })
  developmentId!: string;

  @ApiProperty({ example: 'North Korea prepares about 10,000 soldiers to join Russian forces' })
  developmentTitle!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  retractedAt!: string | null;
}

@ApiSchema({ name: 'SourceClaimsPage', description: 'Everything one source said, as known at (asOf, recordedAsOf), by reportedAt, a page at a time.' })
export class SourceClaimsPageSchema {
  @ApiProperty(TIME_POINT)
  asOf!: string;

  @ApiProperty(TIME_POINT)
  recordedAsOf!: string;

  @ApiProperty({ type: () => [SourceClaimSchema] })
  items!: SourceClaimSchema[];

  @ApiProperty({ type: String, nullable: true, description: 'pass as `cursor` for the next page; null on the last', example: null })
  nextCursor!: string | null;
}
