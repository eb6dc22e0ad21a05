import { Migration } from 'kysely';
import * as eventLog from './0001_event_log';
import * as knowledge from './0002_knowledge_read_model';
import * as idempotency from './0003_idempotency_keys';
import * as relayCheckpoints from './0004_relay_checkpoints';
import * as auditLog from './0005_audit_log';
import * as postgresAppend from './0006_postgres_append_function';
import * as postgresAppendBatch from './0007_postgres_append_batch_function';
import * as postgresStatusSegmentLookup from './0008_postgres_status_segment_lookup';
import * as sourceRatings from './0009_source_ratings';
import * as knowledgeModelV2 from './0010_knowledge_model_v2';
import * as claimsBySource from './0011_claims_by_source';
import * as searchTerms from './0012_search_terms';
import * as checkpointGeneration from './0013_checkpoint_generation';

/** Every migration, by name, in order: imported, so they ship in the compiled build. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_event_log': eventLog,
  '0002_knowledge_read_model': knowledge,
  '0003_idempotency_keys': idempotency,
  '0004_relay_checkpoints': relayCheckpoints,
  '0005_audit_log': auditLog,
  '0006_postgres_append_function': postgresAppend,
  '0007_postgres_append_batch_function': postgresAppendBatch,
  '0008_postgres_status_segment_lookup': postgresStatusSegmentLookup,
  '0009_source_ratings': sourceRatings,
  '0010_knowledge_model_v2': knowledgeModelV2,
  '0011_claims_by_source': claimsBySource,
  '0012_search_terms': searchTerms,
  '0013_checkpoint_generation': checkpointGeneration,
};
