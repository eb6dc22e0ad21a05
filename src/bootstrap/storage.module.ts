import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { READ_MODEL_DATABASE } from '../database/read-model-database';
import { EVENT_STORE } from '../event-store/event-store.port';
import { STORAGE, Storage } from './open-storage';

/** Closes the storage last: projections stop before (ProjectionsModule), the relay and verify's workers before them. */
@Injectable()
class StorageShutdown implements OnApplicationShutdown {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}

/** Wires storage opened before the app (so a bad backend fails with one line); holds no logic. */
@Module({})
export class StorageModule {
  static register(storage: Storage): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [
        { provide: STORAGE, useValue: storage },
        { provide: EVENT_STORE, useValue: storage.eventStore },
        { provide: READ_MODEL_DATABASE, useValue: storage.readModel },
        StorageShutdown,
      ],
      exports: [STORAGE, EVENT_STORE, READ_MODEL_DATABASE],
    };
  }
}
