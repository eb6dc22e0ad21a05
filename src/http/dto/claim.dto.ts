import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsObject, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { ClaimInput, QuantityInput } from '../../domain/development/claim-input';
import { LIKELIHOODS, Likelihood, Publication, QUANTITY_QUALIFIERS, QuantityQualifier, STANCES, Stance } from '../../domain/development/development.events';
import { IsSlug, IsTime, Optional, defined } from './validators';

const finite = () => IsNumber({ allowNaN: false, allowInfinity: false });

/** `{measure?, unit, value, qualifier}`, or `{measure?, unit, min, max, qualifier: "range"}`. */
export class QuantityDto {
  @ApiPropertyOptional({ description: 'what is counted (deployed, planned, killed, shipped, ...); default: the unit', example: 'deployed' })
  @Optional()
  @IsSlug()
  measure?: string;

  @ApiProperty({ example: 'troops' })
  @IsString()
  @Length(1, 100)
  unit!: string;

  @ApiPropertyOptional({ example: 3000, description: 'the number, unless qualifier is range' })
  @Optional()
  @finite()
  value?: number;

  @ApiPropertyOptional({ example: 1500, description: 'least of a range (qualifier range)' })
  @Optional()
  @finite()
  min?: number;

  @ApiPropertyOptional({ example: 12000, description: 'greatest of a range (qualifier range)' })
  @Optional()
  @finite()
  max?: number;

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
const ClaimLikelihood = () =>
  field(false, { enum: LIKELIHOODS, description: 'ICD 203 likelihood: required with stance assesses, only with it' }, IsIn(LIKELIHOODS));
const ClaimReportedAt = (required: boolean) =>
  field(
    required,
    {
      description: 'knowledge time: YYYY-MM-DD (start of day, UTC), YYYY-MM or YYYY (known from the end of that period), or an ISO 8601 instant',
      example: '2024-10-18',
    },
    IsTime(),
  );
const ClaimVia = () =>
  field(
    false,
    { type: [String], description: 'the sources that relayed it, nearest the speaker first', example: ['bbc', 'the-independent'] },
    IsArray(),
    ArrayMaxSize(10),
    IsSlug({ each: true }),
  );
const ClaimDerivedFrom = () => field(false, { description: 'the claim of this development it merely repeats' }, IsString(), Length(1, 200));
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
  @ClaimLikelihood() likelihood?: Likelihood;
  @ClaimReportedAt(true) reportedAt!: string;
  @ClaimQuantity() quantity?: QuantityDto;
  @ClaimQuote() quote?: string;
  @ClaimPublication() publication?: PublicationDto;
  @ClaimVia() via?: string[];
  @ClaimDerivedFrom() derivedFrom?: string;
  @ClaimCredibility() credibility?: number;
}

/** What a claim correction may change: any claim field. */
export class ClaimChangesDto {
  @ClaimSourceId(false) sourceId?: string;
  @ClaimStance(false) stance?: Stance;
  @ClaimLikelihood() likelihood?: Likelihood;
  @ClaimReportedAt(false) reportedAt?: string;
  @ClaimQuantity() quantity?: QuantityDto;
  @ClaimQuote() quote?: string;
  @ClaimPublication() publication?: PublicationDto;
  @ClaimVia() via?: string[];
  @ClaimDerivedFrom() derivedFrom?: string;
  @ClaimCredibility() credibility?: number;
}

const quantityOf = (dto?: QuantityDto): QuantityInput | undefined =>
  dto && defined({ measure: dto.measure, unit: dto.unit, value: dto.value, min: dto.min, max: dto.max, qualifier: dto.qualifier });
const publicationOf = (dto?: PublicationDto): Publication | undefined =>
  dto && defined({ title: dto.title, url: dto.url, publishedAt: dto.publishedAt });

export function toClaimChanges(dto: ClaimChangesDto | ClaimInputDto): Partial<ClaimInput> {
  return defined({
    sourceId: dto.sourceId,
    stance: dto.stance,
    likelihood: dto.likelihood,
    reportedAt: dto.reportedAt,
    quantity: quantityOf(dto.quantity),
    quote: dto.quote,
    publication: publicationOf(dto.publication),
    via: dto.via && [...dto.via],
    derivedFrom: dto.derivedFrom,
    credibility: dto.credibility,
  });
}

export function toClaimFields(dto: ClaimInputDto): ClaimInput {
  return { ...toClaimChanges(dto), sourceId: dto.sourceId, stance: dto.stance, reportedAt: dto.reportedAt };
}
