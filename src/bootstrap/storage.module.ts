import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { PROJECTION_RUNNERS, ProjectionGate } from '../application/projection-gate';
import { AuditProjection } from '../projections/audit.projection';
import { EVENT_STORE } from '../event-store/event-store.port';
import { KnowledgeProjection } from '../projections/knowledge.projection';
import { KnowledgeQueries } from '../projections/knowledge.queries';
import { ProjectionRunner } from '../projections/projection-runner';
import { READ_MODEL_DATABASE } from '../database/read-model-database';
import { STORAGE, Storage } from './open-storage';

/** Stops projections before the storage under them closes. */
@Injectable()
class StorageShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(PROJECTION_RUNNERS) private readonly runners: readonly ProjectionRunner[],
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await this.storage.close();
  }
}

const PROVIDERS: Provider[] = [
  { provide: EVENT_STORE, inject: [STORAGE], useFactory: (storage: Storage) => storage.eventStore },
  { provide: READ_MODEL_DATABASE, inject: [STORAGE], useFactory: (storage: Storage) => storage.readModel },
  {
    provide: PROJECTION_RUNNERS,
    inject: [STORAGE],
    useFactory: async (storage: Storage) => {
      const runners = [
        new ProjectionRunner(storage.eventStore, storage.readModel, new KnowledgeProjection()),
        new ProjectionRunner(storage.eventStore, storage.readModel, new AuditProjection()),
      ];
      await Promise.all(runners.map((runner) => runner.start()));
      return runners;
    },
  },
  { provide: KnowledgeQueries, inject: [STORAGE], useFactory: (storage: Storage) => new KnowledgeQueries(storage.readModel) },
  ProjectionGate,
  StorageShutdown,
];

/** Wires storage opened before the app (so a bad backend fails with one line); holds no logic. */
@Module({})
export class StorageModule {
  static register(storage: Storage): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [{ provide: STORAGE, useValue: storage }, ...PROVIDERS],
      exports: [STORAGE, EVENT_STORE, READ_MODEL_DATABASE, PROJECTION_RUNNERS, ProjectionGate, KnowledgeQueries],
    };
  }
}
