import { Module } from '@nestjs/common';
import { ProjectionGate } from '../application/projection-gate';
import { READ_MODEL_DATABASE, ReadModelDatabase } from '../database/read-model-database';
import { STORAGE, Storage } from '../bootstrap/open-storage';
import { APP_CONFIG, AppConfig } from '../platform/app-config';
import { CLOCK, Clock } from '../platform/clock';
import { KnowledgeQueries } from '../projections/knowledge.queries';
import { AuditLog } from './audit-log';
import { AuditTree } from './audit-tree';
import { AuditController } from './http/audit.controller';
import { loadSigningKey } from './signing-key';
import { leafRangeChecker } from './verify/leaf-range-workers';
import { TreeHeadSigner } from './tree-head.signer';

/** Wires the audit log (its projection runs with the others, see StorageModule); holds no logic. */
@Module({
  controllers: [AuditController],
  providers: [
    { provide: AuditTree, inject: [READ_MODEL_DATABASE], useFactory: (db: ReadModelDatabase) => new AuditTree(db) },
    {
      provide: TreeHeadSigner,
      inject: [APP_CONFIG, CLOCK],
      useFactory: (config: AppConfig, clock: Clock) => new TreeHeadSigner(loadSigningKey(config), clock),
    },
    {
      provide: AuditLog,
      inject: [STORAGE, APP_CONFIG, AuditTree, TreeHeadSigner, KnowledgeQueries, ProjectionGate],
      useFactory: (storage: Storage, config: AppConfig, tree: AuditTree, signer: TreeHeadSigner, queries: KnowledgeQueries, gate: ProjectionGate) =>
        new AuditLog(storage.eventStore, tree, signer, queries, (position) => gate.reached(position), leafRangeChecker(storage.leafRanges, config.verifyThreads)),
    },
    ProjectionGate,
  ],
})
export class AuditModule {}
