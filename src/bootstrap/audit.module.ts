import { Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { AuditLog } from '../application/audit/audit-log';
import { AuditTree } from '../audit/audit-tree';
import { loadSigningKey } from '../audit/signing-key';
import { TreeHeadSigner } from '../audit/tree-head.signer';
import { leafRangeChecker } from '../audit/verify/leaf-range-workers';
import { READ_MODEL_DATABASE, ReadModelDatabase } from '../database/read-model-database';
import { AuditController } from '../http/controllers/audit.controller';
import { APP_CONFIG, AppConfig } from '../platform/app-config';
import { CLOCK, Clock } from '../platform/clock';
import { KnowledgeQueries } from '../projections/knowledge/knowledge.queries';
import { ProjectionGate } from '../projections/projection-gate';
import { STORAGE, Storage } from './open-storage';

/** Stops verify's worker threads before the storage under them closes (destroy hooks run before shutdown hooks). */
@Injectable()
class AuditLogShutdown implements OnModuleDestroy {
  constructor(private readonly audit: AuditLog) {}

  onModuleDestroy(): Promise<void> {
    return this.audit.close();
  }
}

const logger = new Logger('AuditLog');

/** Wires the audit log (its projection runs with the others); holds no logic. */
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
        new AuditLog(
          storage.eventStore,
          tree,
          signer,
          queries,
          (position) => gate.reached(position),
          leafRangeChecker(storage.leafRanges, config.verifyThreads),
          (message) => logger.warn(message),
        ),
    },
    AuditLogShutdown,
  ],
})
export class AuditModule {}
