import { BeforeApplicationShutdown, Global, Inject, Injectable, Module } from '@nestjs/common';
import { READ_MODEL_DATABASE, ReadModelDatabase } from '../database/read-model-database';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { KnowledgeQueries } from './knowledge/knowledge.queries';
import { LogConsumers } from './log-consumers';
import { ProjectionGate } from './projection-gate';
import { createProjections } from './projection-registry';
import { PROJECTION_RUNNERS, ProjectionRunner, startProjections } from './projection-runner';
import { ReadClock } from './read-clock';

/** Stops the runners before the storage under them closes (that is an application-shutdown hook). */
@Injectable()
class ProjectionsShutdown implements BeforeApplicationShutdown {
  constructor(@Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[]) {}

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }
}

/** Every projection of the registry, running on the storage; the gate and the read clock over them; holds no logic. */
@Global()
@Module({
  providers: [
    {
      provide: PROJECTION_RUNNERS,
      inject: [EVENT_STORE, READ_MODEL_DATABASE],
      useFactory: (store: EventStore, db: ReadModelDatabase) => startProjections(store, db, createProjections()),
    },
    { provide: LogConsumers, inject: [PROJECTION_RUNNERS], useFactory: (runners: readonly ProjectionRunner[]) => new LogConsumers(runners) },
    { provide: KnowledgeQueries, inject: [READ_MODEL_DATABASE], useFactory: (db: ReadModelDatabase) => new KnowledgeQueries(db) },
    ProjectionGate,
    ReadClock,
    ProjectionsShutdown,
  ],
  exports: [PROJECTION_RUNNERS, LogConsumers, KnowledgeQueries, ProjectionGate, ReadClock],
})
export class ProjectionsModule {}
