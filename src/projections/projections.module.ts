import { BeforeApplicationShutdown, Global, Inject, Injectable, Module } from '@nestjs/common';
import { READ_MODEL_DATABASE, ReadModelDatabase } from '../database/read-model-database';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { APP_CONFIG, AppConfig } from '../platform/app-config';
import { knowledgeQueriesFor } from './knowledge/knowledge-read-workers';
import { KnowledgeQueries } from './knowledge/knowledge.queries';
import { LogConsumers } from './log-consumers';
import { ProjectionGate } from './projection-gate';
import { createProjections } from './projection-registry';
import { PROJECTION_RUNNERS, ProjectionRunner, startProjections } from './projection-runner';
import { ReadClock } from './read-clock';

/** Stops the runners and the read workers before the storage under them closes (that is an application-shutdown hook). */
@Injectable()
class ProjectionsShutdown implements BeforeApplicationShutdown {
  constructor(
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
    private readonly queries: KnowledgeQueries,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.runners.map((runner) => runner.stop()), this.queries.close()]);
  }
}

/** Every projection of the registry, running on the storage; the gate and the read clock over them; holds no logic. */
@Global()
@Module({
  providers: [
    {
      provide: PROJECTION_RUNNERS,
      inject: [EVENT_STORE, READ_MODEL_DATABASE],
      useFactory: (store: EventStore, db: ReadModelDatabase) => startProjections(store, db, createProjections(), { inAppendTransactions: true }),
    },
    { provide: LogConsumers, inject: [PROJECTION_RUNNERS], useFactory: (runners: readonly ProjectionRunner[]) => new LogConsumers(runners) },
    {
      provide: KnowledgeQueries,
      inject: [READ_MODEL_DATABASE, APP_CONFIG],
      useFactory: (db: ReadModelDatabase, config: AppConfig) => knowledgeQueriesFor(db, config.readThreads),
    },
    ProjectionGate,
    ReadClock,
    ProjectionsShutdown,
  ],
  exports: [PROJECTION_RUNNERS, LogConsumers, KnowledgeQueries, ProjectionGate, ReadClock],
})
export class ProjectionsModule {}
