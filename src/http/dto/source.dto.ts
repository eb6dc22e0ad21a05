import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { RELIABILITY_GRADES, Reliability, SOURCE_KINDS, SourceKind, SourceProfile } from '../../domain/source/source.events';
import { IsSlug, Optional, defined } from './validators';

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

  @ApiPropertyOptional({ enum: RELIABILITY_GRADES, description: 'Admiralty source reliability' })
  @Optional()
  @IsIn(RELIABILITY_GRADES)
  reliability?: Reliability;
}

export function toSourceInput(dto: RegisterSourceDto): { id?: string } & SourceProfile {
  return defined({ id: dto.id, name: dto.name, kind: dto.kind, country: dto.country, reliability: dto.reliability });
}
