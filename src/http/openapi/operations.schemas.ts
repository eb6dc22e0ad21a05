import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/* Response schemas of /health and /v1/projections. */

@ApiSchema({ name: 'ConsumerStatus', description: 'Where one consumer of the log stands.' })
export class ConsumerStatusSchema {
  @ApiProperty({ example: 'knowledge' })
  name!: string;

  @ApiProperty({ description: 'the last log position it applied', example: 42 })
  checkpoint!: number;

  @ApiProperty({ description: 'events behind the head (at most a bound: that many or more)', example: 0 })
  lag!: number;

  @ApiProperty({ description: 'projections: running or retrying; the NATS relay: idle, publishing, standby, retrying or stopped', example: 'running' })
  state!: string;
}

@ApiSchema({ name: 'Projections' })
export class ProjectionsSchema {
  @ApiProperty({ description: 'the log head position', example: 42 })
  head!: number;

  @ApiProperty({ type: () => [ConsumerStatusSchema] })
  projections!: ConsumerStatusSchema[];
}

const INDICATORS: { type: 'object'; additionalProperties: SchemaObject } = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { status: { type: 'string', enum: ['up', 'down'] } }, required: ['status'], additionalProperties: true },
};

@ApiSchema({ name: 'Health', description: 'Up or down; to a loopback client, also the store head and each projection.' })
export class HealthSchema {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status!: 'ok' | 'error' | 'shutting_down';

  @ApiPropertyOptional({ ...INDICATORS, description: 'loopback only: the indicators up', example: { eventStore: { status: 'up', head: 42 } } })
  info?: Record<string, { status: 'up' | 'down' }>;

  @ApiPropertyOptional({ ...INDICATORS, description: 'loopback only: the indicators down', example: {} })
  error?: Record<string, { status: 'up' | 'down' }>;

  @ApiPropertyOptional({ ...INDICATORS, description: 'loopback only: every indicator', example: { eventStore: { status: 'up', head: 42 } } })
  details?: Record<string, { status: 'up' | 'down' }>;
}
