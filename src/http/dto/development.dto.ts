import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { DevelopmentInput } from '../../domain/development/development.decider';
import { OccurredInput } from '../../domain/development/occurred-input';
import { ClaimChangesDto, ClaimInputDto } from './claim.dto';
import { IsOccurredInput, IsSlug, IsTime, Optional, defined } from './validators';

const field = (required: boolean, api: ApiPropertyOptions, ...checks: PropertyDecorator[]) =>
  applyDecorators(required ? ApiProperty(api) : ApiPropertyOptional(api), ...(required ? [] : [Optional()]), ...checks);
const text = (required: boolean, max: number, example?: string) => field(required, { example }, IsString(), Length(1, max));
const words = (example: string[]) =>
  field(false, { type: [String], example }, IsArray(), ArrayMaxSize(100), IsString({ each: true }), Length(1, 200, { each: true }));
const OccurredField = () =>
  field(
    false,
    {
      description:
        'when it happened: EDTF level 1 text (`2024-10-08/2024-10-13`, `2024-10~`, `../2024-10`), `{edtf, label?}` with the source\'s wording, or the older `{from?, to?, label?}`',
      oneOf: [
        { type: 'string', example: '2024-10-08/2024-10-13' },
        { type: 'object', properties: { edtf: { type: 'string' }, label: { type: 'string' } }, required: ['edtf'], additionalProperties: false },
        {
          type: 'object',
          properties: { from: { type: 'string' }, to: { type: 'string' }, label: { type: 'string' } },
          additionalProperties: false,
        },
      ],
    },
    IsOccurredInput(),
  );

/** What a development correction may change. */
export class DevelopmentChangesDto {
  @text(false, 500) title?: string;
  @text(false, 20000) summary?: string;
  @text(false, 100) category?: string;
  @OccurredField() occurred?: OccurredInput;
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
  @OccurredField() occurred?: OccurredInput;
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
  @ApiPropertyOptional({ description: 'the revision this correction mends; absent: the description as first recorded' })
  @Optional()
  @IsString()
  @Length(1, 200)
  revisionId?: string;

  @ApiProperty({ type: DevelopmentChangesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => DevelopmentChangesDto)
  changes!: DevelopmentChangesDto;

  @text(true, 2000, 'typo in the title') reason!: string;
}

/** Detail learned later: shown only in views as of its `reportedAt`. */
export class ReviseDevelopmentDto {
  @ApiProperty({ type: DevelopmentChangesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => DevelopmentChangesDto)
  changes!: DevelopmentChangesDto;

  @ApiProperty({ description: 'knowledge time: when this detail became public', example: '2024-10-23' })
  @IsTime()
  reportedAt!: string;

  @ApiPropertyOptional({ description: 'the claim of this development the revision rests on' })
  @Optional()
  @IsString()
  @Length(1, 200)
  basisClaimId?: string;

  @text(true, 2000, 'the NIS gave the first figures') reason!: string;
}

export class CorrectClaimDto {
  @ApiProperty({ type: ClaimChangesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ClaimChangesDto)
  changes!: ClaimChangesDto;

  @text(true, 2000, 'wrong source attributed') reason!: string;
}

export function toDevelopmentChanges(dto: DevelopmentChangesDto): Partial<DevelopmentInput> {
  return defined({
    title: dto.title,
    summary: dto.summary,
    category: dto.category,
    occurred: dto.occurred,
    location: dto.location,
    actors: dto.actors && [...dto.actors],
    topics: dto.topics && [...new Set(dto.topics)],
  });
}

export function toDevelopmentFields(dto: RecordDevelopmentDto): DevelopmentInput {
  return { ...toDevelopmentChanges(dto), title: dto.title };
}
