import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { RateSource } from '../../domain/source/source.decider';
import { RELIABILITY_GRADES, Reliability, SOURCE_KINDS, SourceKind, SourceProfile } from '../../domain/source/source.events';
import { IsSlug, IsTime, Optional, defined } from './validators';

export class RegisterSourceDto {
  @ApiPropertyOptional({ description: 'slug; derived from the name when absent', example: 'sk-nis' })
  @Optional()
  @IsSlug()
  id?: string;

  @ApiProperty({ example: "South Korea's National Intelligence Service" })
  @IsString()
  @Length(1, 300)
  name!: string;

  @ApiProperty({ enum: SOURCE_KINDS })
  @IsIn(SOURCE_KINDS)
  kind!: SourceKind;

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2', example: 'KR' })
  @Optional()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be an ISO 3166-1 alpha-2 code such as KR' })
  country?: string;

  @ApiPropertyOptional({
    description: 'slug of the origin this source belongs to: sources sharing one count as one origin. Default: the source is its own origin',
    example: 'kr-government',
  })
  @Optional()
  @IsSlug()
  affiliation?: string;

  @ApiPropertyOptional({ enum: RELIABILITY_GRADES, description: 'Admiralty source reliability as registered; later ones are ratings' })
  @Optional()
  @IsIn(RELIABILITY_GRADES)
  reliability?: Reliability;
}

export function toSourceInput(dto: RegisterSourceDto): { id?: string } & SourceProfile {
  return defined({ id: dto.id, name: dto.name, kind: dto.kind, country: dto.country, affiliation: dto.affiliation, reliability: dto.reliability });
}

export class RateSourceDto {
  @ApiProperty({ enum: RELIABILITY_GRADES, description: 'Admiralty source reliability' })
  @IsIn(RELIABILITY_GRADES)
  reliability!: Reliability;

  @ApiProperty({ description: 'knowledge time of the rating: views as of this time on show it', example: '2024-10-25' })
  @IsTime()
  reportedAt!: string;

  @ApiProperty({ example: 'two of its reports were contradicted by satellite imagery' })
  @IsString()
  @Length(1, 2000)
  reason!: string;
}

export function toRating(sourceId: string, dto: RateSourceDto): RateSource['data'] {
  return { sourceId, reliability: dto.reliability, reportedAt: dto.reportedAt, reason: dto.reason };
}
