import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { EventMetadata } from '../../event-store/event-store.port';
import { storedEventJson } from '../../event-store/stored-event-json';
import { writeResultJson } from '../json';

/* Response schemas of the log: writes, events, a development's history. */

@ApiSchema({ name: 'WriteResult', description: "What every write answers: the stream's id and version, and the log position of its last event." })
export class WriteResultSchema implements ReturnType<typeof writeResultJson> {
  @ApiProperty({ example: 'north-korea-prepares-soldiers-to-join-russian-forces' })
  id!: string;

  @ApiProperty({ description: 'the stream version after the write (1 for its first event)', example: 1 })
  version!: number;

  @ApiProperty({ description: 'log position of the last event written: read with `minPosition` to see it', example: 42 })
  position!: number;

  @ApiPropertyOptional({ description: 'the claim recorded or reported', example: 'preparing-zelensky-10000' })
  claimId?: string;

  @ApiPropertyOptional({ description: 'the revision recorded' })
  revisionId?: string;

  @ApiPropertyOptional({ enum: [true], description: 'stored, but the read model had not applied it in time' })
  readModelBehind?: true;
}

@ApiSchema({ name: 'EventMetadata' })
export class EventMetadataSchema implements EventMetadata {
  @ApiProperty({ example: 2 })
  schemaVersion!: number;

  @ApiProperty({ example: '7f1c9a52-3b4e-4a57-9f0e-2f5b6c1d8e90' })
  correlationId!: string;

  @ApiProperty({ example: '7f1c9a52-3b4e-4a57-9f0e-2f5b6c1d8e90' })
  causationId!: string;

  @ApiProperty({ description: 'the API key name, or local', example: 'key-1:editor' })
  actor!: string;
}

@ApiSchema({ name: 'StoredEvent', description: 'An event exactly as the log holds it (its canonical JSON is its audit leaf).' })
export class StoredEventSchema implements ReturnType<typeof storedEventJson> {
  @ApiProperty({ example: 42 })
  position!: number;

  @ApiProperty({ example: 'development-north-korea-prepares-soldiers-to-join-russian-forces' })
  streamId!: string;

  @ApiProperty({ description: '0-based', example: 0 })
  streamVersion!: number;

  @ApiProperty({ example: '0c6f5e4a-8d1b-4f7e-a3c2-9b8d7e6f5a4b' })
  eventId!: string;

  @ApiProperty({ example: 'DevelopmentRecorded' })
  type!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the event, as its type defines it' })
  data!: Record<string, unknown>;

  @ApiProperty({ type: () => EventMetadataSchema })
  metadata!: EventMetadataSchema;

  @ApiProperty({ description: 'transaction time', example: '2024-10-18T09:12:00.000Z' })
  recordedAt!: string;
}

@ApiSchema({ name: 'EventsPage', description: 'Events after `after`, in log order.' })
export class EventsPageSchema {
  @ApiProperty({ type: () => [StoredEventSchema] })
  items!: StoredEventSchema[];

  @ApiProperty({ description: 'the last position in this page (or `after`): pass it as `after` for the next', example: 42 })
  last!: number;
}

@ApiSchema({ name: 'DevelopmentHistory', description: "A development's stream, every event in order." })
export class DevelopmentHistorySchema {
  @ApiProperty({ type: () => [StoredEventSchema] })
  items!: StoredEventSchema[];
}
