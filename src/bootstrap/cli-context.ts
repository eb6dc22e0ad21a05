import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '../platform/app-config';
import { Clock, systemClock } from '../platform/clock';
import { AppModule } from './app.module';
import { openStorage } from './open-storage';

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
