import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { TimePointDto } from './query.dto';
import { IsTopicList, Optional } from './validators';

const COUNT = /^\d{1,15}$/;
const countMessage = { message: '$property must be a non-negative integer' };

export class InclusionQueryDto {
  @ApiProperty({ description: 'log position of the event' })
  @Matches(COUNT, countMessage)
  position!: string;

  @ApiPropertyOptional({ description: 'size of the tree the proof is for; default: the current tree' })
  @Optional()
  @Matches(COUNT, countMessage)
  treeSize?: string;
}

export class ConsistencyQueryDto {
  @ApiProperty({ description: 'the earlier tree size (at least 1)' })
  @Matches(COUNT, countMessage)
  first!: string;

  @ApiPropertyOptional({ description: 'the later tree size; default: the current tree' })
  @Optional()
  @Matches(COUNT, countMessage)
  second?: string;
}

export class ReplayQueryDto extends TimePointDto {
  @ApiPropertyOptional({ description: 'topics, comma-separated (any of them; at most 20), matched ignoring case' })
  @Optional()
  @IsTopicList()
  topic?: string;
}
