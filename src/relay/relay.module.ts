import { Module } from '@nestjs/common';
import { NatsRelayService } from './nats-relay.service';

/** The optional JetStream relay (on when TIMELINE_NATS_URL is set); holds no logic. */
@Module({
  providers: [NatsRelayService],
  exports: [NatsRelayService],
})
export class RelayModule {}
