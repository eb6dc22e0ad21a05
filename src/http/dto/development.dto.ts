import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { DevelopmentFields, Occurred } from '../../domain/development/development.events';
import { ClaimChangesDto, ClaimInputDto } from './claim.dto';
import { IsSlug, IsTime, Optional, defined } from './validators';

export class OccurredDto {
  @ApiPropertyOptional({ description: 'YYYY-MM-DD or ISO 8601 instant', example: '2024-10-08' })
  @Optional()
  @IsTime()
  from?: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD or ISO 8601 instant; not before from', example: '2024-10-13' })
  @Optional()
  @IsTime()
  to?: string;

  @ApiPropertyOptional({ example: 'early-to-mid October 2024' })
  @Optional()
  @IsString()
  @Length(1, 300)
  label?: string;
}

const field = (required: boolean, api: ApiPropertyOptions, ...checks: PropertyDecorator[]) =>
  applyDecorators(required ? ApiProperty(api) : ApiPropertyOptional(api), ...(required ? [] : [Optional()]), ...checks);
const text = (required: boolean, max: number, example?: string) => field(required, { example }, IsString(), Length(1, max));
const words = (example: string[]) =>
  field(false, { type: [String], example }, IsArray(), ArrayMaxSize(100), IsString({ each: true }), Length(1, 200, { each: true }));
const OccurredField = () =>
  field(false, { type: OccurredDto }, IsObject(), ValidateNested(), Type(() => OccurredDto));

/** What a development correction may change. */
export class DevelopmentChangesDto {
  @text(false, 500) title?: string;
  @text(false, 20000) summary?: string;
  @text(false, 100) category?: string;
  @OccurredField() occurred?: OccurredDto;
  @text(false, 500) location?: string;
  @words(['North Korea', 'Russia']) actors?: string[];
  @words(['north-korea-russia']) topics?: string[];
}

export class RecordDevelopmentDto {
  @ApiPropertyOptional({ description: "slug; derived from the title when absent" })
  @Optional()
  @IsSlug()
  id?: string;

  @text(true, 500, 'North Korean troops sent to Russia') title!: string;
  @text(false, 20000) summary?: string;
  @text(false, 100, 'military') category?: string;
  @OccurredField() occurred?: OccurredDto;
  @text(false, 500) location?: string;
  @words(['North Korea', 'Russia']) actors?: string[];
  @words(['north-korea-russia']) topics?: string[];

  @ApiProperty({ type: ClaimInputDto, description: 'the first claim: the development becomes known when it is reported' })
  @IsObject()
  @ValidateNested()
  @Type(() => ClaimInputDto)
  claim!: ClaimInputDto;
}

export class RetractionDto {
  @ApiProperty({ description: 'knowledge time of the retraction', example: '2024-10-25' })
  @IsTime()
  reportedAt!: string;

  @text(true, 2000, 'the source withdrew the report') reason!: string;
}

export class CorrectDevelopmentDto {
  @ApiProperty({ type: DevelopmentChangesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => DevelopmentChangesDto)
  changes!: DevelopmentChangesDto;

  @text(true, 2000, 'typo in the title') reason!: string;
}

export class CorrectClaimDto {
  @ApiProperty({ type: ClaimChangesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ClaimChangesDto)
  changes!: ClaimChangesDto;

  @text(true, 2000, 'wrong source attributed') reason!: string;
}

const occurredOf = (dto?: OccurredDto): Occurred | undefined =>
  dto && defined({ from: dto.from, to: dto.to, label: dto.label });

export function toDevelopmentChanges(dto: DevelopmentChangesDto): Partial<DevelopmentFields> {
  return defined({
    title: dto.title,
    summary: dto.summary,
    category: dto.category,
    occurred: occurredOf(dto.occurred),
    location: dto.location,
    actors: dto.actors && [...dto.actors],
    topics: dto.topics && [...new Set(dto.topics)],
  });
}

export function toDevelopmentFields(dto: RecordDevelopmentDto): DevelopmentFields {
  return { ...toDevelopmentChanges(dto), title: dto.title };
}
