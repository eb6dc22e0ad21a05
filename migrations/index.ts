import { Migration } from 'kysely';
import * as eventLog from './0001_event_log';
import * as knowledge from './0002_knowledge_read_model';
import * as idempotency from './0003_idempotency_keys';

/** Every migration, by name, in order: imported, so they ship in the compiled build. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_event_log': eventLog,
  '0002_knowledge_read_model': knowledge,
  '0003_idempotency_keys': idempotency,
};
