import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsObject, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import {
  ClaimFields,
  Publication,
  QUANTITY_QUALIFIERS,
  Quantity,
  QuantityQualifier,
  STANCES,
  Stance,
} from '../../domain/development/development.events';
import { IsSlug, IsTime, Optional, defined } from './validators';

export class QuantityDto {
  @ApiProperty({ example: 3000 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  value!: number;

  @ApiProperty({ example: 'troops' })
  @IsString()
  @Length(1, 100)
  unit!: string;

  @ApiProperty({ enum: QUANTITY_QUALIFIERS })
  @IsIn(QUANTITY_QUALIFIERS)
  qualifier!: QuantityQualifier;
}

export class PublicationDto {
  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @Length(1, 1000)
  title?: string;

  @ApiPropertyOptional()
  @Optional()
  @IsString()
  @Length(1, 2000)
  url?: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD or ISO 8601 instant' })
  @Optional()
  @IsTime()
  publishedAt?: string;
}

/** Each claim field's validation, required in a new claim and optional in a correction. */
const field = (required: boolean, api: ApiPropertyOptions, ...checks: PropertyDecorator[]) =>
  applyDecorators(required ? ApiProperty(api) : ApiPropertyOptional(api), ...(required ? [] : [Optional()]), ...checks);

const ClaimSourceId = (required: boolean) => field(required, { example: 'sk-nis' }, IsSlug());
const ClaimStance = (required: boolean) => field(required, { enum: STANCES }, IsIn(STANCES));
const ClaimReportedAt = (required: boolean) =>
  field(required, { description: 'knowledge time: YYYY-MM-DD (start of day, UTC) or an ISO 8601 instant', example: '2024-10-18' }, IsTime());
const ClaimQuantity = () =>
  field(false, { type: QuantityDto }, IsObject(), ValidateNested(), Type(() => QuantityDto));
const ClaimQuote = () => field(false, {}, IsString(), Length(1, 10000));
const ClaimPublication = () =>
  field(false, { type: PublicationDto }, IsObject(), ValidateNested(), Type(() => PublicationDto));
const ClaimCredibility = () =>
  field(false, { minimum: 1, maximum: 6, description: 'Admiralty information credibility' }, IsInt(), Min(1), Max(6));

/** `ClaimInput`: a new claim. */
export class ClaimInputDto {
  @ClaimSourceId(true) sourceId!: string;
  @ClaimStance(true) stance!: Stance;
  @ClaimReportedAt(true) reportedAt!: string;
  @ClaimQuantity() quantity?: QuantityDto;
  @ClaimQuote() quote?: string;
  @ClaimPublication() publication?: PublicationDto;
  @ClaimCredibility() credibility?: number;
}

/** What a claim correction may change: any claim field. */
export class ClaimChangesDto {
  @ClaimSourceId(false) sourceId?: string;
  @ClaimStance(false) stance?: Stance;
  @ClaimReportedAt(false) reportedAt?: string;
  @ClaimQuantity() quantity?: QuantityDto;
  @ClaimQuote() quote?: string;
  @ClaimPublication() publication?: PublicationDto;
  @ClaimCredibility() credibility?: number;
}

const quantityOf = (dto?: QuantityDto): Quantity | undefined =>
  dto && { value: dto.value, unit: dto.unit, qualifier: dto.qualifier };
const publicationOf = (dto?: PublicationDto): Publication | undefined =>
  dto && defined({ title: dto.title, url: dto.url, publishedAt: dto.publishedAt });

export function toClaimChanges(dto: ClaimChangesDto | ClaimInputDto): Partial<ClaimFields> {
  return defined({
    sourceId: dto.sourceId,
    stance: dto.stance,
    reportedAt: dto.reportedAt,
    quantity: quantityOf(dto.quantity),
    quote: dto.quote,
    publication: publicationOf(dto.publication),
    credibility: dto.credibility,
  });
}

export function toClaimFields(dto: ClaimInputDto): ClaimFields {
  return { ...toClaimChanges(dto), sourceId: dto.sourceId, stance: dto.stance, reportedAt: dto.reportedAt };
}
