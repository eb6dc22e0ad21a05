import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { READ_MODEL_DATABASE, ReadModelDatabase } from '../database/read-model-database';
import { EVENT_STORE, EventStore } from '../event-store/event-store.port';
import { APP_CONFIG, AppConfig, ConfigError } from '../platform/app-config';
import { CLOCK, Clock } from '../platform/clock';
import { LogConsumers } from '../projections/log-consumers';
import { connectNats } from './nats-connection';
import { NatsRelay } from './nats-relay';
import { messageOf } from '../platform/error-message';

/**
 * Runs the JetStream relay when TIMELINE_NATS_URL is set. It starts at bootstrap, so an unreachable
 * server or a stream that cannot be made stops the start with one line naming the setting; once
 * running, an outage is waited out (reconnect, then resume from the stream's tail).
 */
@Injectable()
export class NatsRelayService implements OnApplicationBootstrap, OnModuleDestroy {
  private relay?: NatsRelay;
  private connection?: NatsConnection;
  private unlist?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_DATABASE) private readonly db: ReadModelDatabase,
    @Inject(CLOCK) private readonly clock: Clock,
    /** Where the relay is listed with the projections while it runs (`GET /v1/projections`). */
    private readonly consumers: LogConsumers,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { natsUrl, natsStream: stream, natsSubjectPrefix: subjectPrefix } = this.config;
    if (!natsUrl) return;
    const connection = await connectNats(natsUrl, 'timeline-relay');
    try {
      await connection.jetstreamManager();
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw new ConfigError('TIMELINE_NATS_URL', `NATS answers but JetStream does not: ${messageOf(error)}`);
    }
    const relay = new NatsRelay(this.store, this.db, connection, { stream, subjectPrefix }, this.clock);
    try {
      await relay.start();
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw new ConfigError(
        'TIMELINE_NATS_STREAM',
        `JetStream stream '${stream}' (subjects '${subjectPrefix}.>') cannot be used: ${messageOf(error)}`,
      );
    }
    this.connection = connection;
    this.relay = relay;
    this.unlist = this.consumers.register(relay);
  }

  // Destroy hooks run before shutdown hooks, so the relay stops before the storage under it closes.
  async onModuleDestroy(): Promise<void> {
    this.unlist?.();
    await this.relay?.stop();
    await this.connection?.close().catch(() => undefined);
  }
}
