import { DynamicModule, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from './app-config';
import { CLOCK, Clock, systemClock } from './clock';

/** The validated configuration and the clock, for everyone. */
@Module({})
export class PlatformModule {
  static register(config: AppConfig, clock: Clock = systemClock): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [APP_CONFIG, CLOCK],
    };
  }
}
