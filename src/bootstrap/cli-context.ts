import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '../platform/app-config';
import { Clock, systemClock } from '../platform/clock';
import { AppModule } from './app.module';
import { Storage, StorageAccess, openStorage } from './open-storage';

/** The application without HTTP, for commands that use its services (the seed); closing it closes the storage. */
export async function createAppContext(config: AppConfig, clock: Clock = systemClock): Promise<INestApplicationContext> {
  // Storage opens first, outside Nest, as for the server: an unreachable backend is one ConfigError line.
  const storage = await openStorage(config, clock);
  try {
    return await NestFactory.createApplicationContext(AppModule.register(config, storage, clock), { logger: ['error', 'warn'] });
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/** Runs `run` on the configured storage, opened for it and closed after it, whatever it returns or throws. */
export async function withStorage<T>(config: AppConfig, clock: Clock, access: StorageAccess, run: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(config, clock, access);
  try {
    return await run(storage);
  } finally {
    await storage.close();
  }
}
