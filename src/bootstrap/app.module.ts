import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard } from '@nestjs/throttler';
import { CorrectClaimHandler } from '../application/commands/correct-claim.handler';
import { CorrectDevelopmentHandler } from '../application/commands/correct-development.handler';
import { RateSourceHandler } from '../application/commands/rate-source.handler';
import { ReviseDevelopmentHandler } from '../application/commands/revise-development.handler';
import { RecordDevelopmentHandler } from '../application/commands/record-development.handler';
import { RegisterSourceHandler } from '../application/commands/register-source.handler';
import { ReportClaimHandler } from '../application/commands/report-claim.handler';
import { RetractClaimHandler } from '../application/commands/retract-claim.handler';
import { ConsumerStatuses } from '../application/consumer-statuses';
import { RegisteredSources } from '../application/registered-sources';
import { StreamWriter } from '../application/stream-writer';
import { DevelopmentAsOfHandler } from '../application/queries/development-as-of.handler';
import { EstimateHistoryHandler } from '../application/queries/estimate-history.handler';
import { KNOWLEDGE_PAGES_CACHE, KnowledgeAsOfHandler } from '../application/queries/knowledge-as-of.handler';
import { KnowledgePagesCache } from '../application/queries/knowledge-pages.cache';
import { KnowledgeChangesHandler } from '../application/queries/knowledge-changes.handler';
import { DevelopmentHistoryHandler, EventsHandler } from '../application/queries/log.handler';
import { SourceClaimsHandler } from '../application/queries/source-claims.handler';
import { SourceHandler, SourcesHandler } from '../application/queries/sources.handler';
import { TopicsHandler } from '../application/queries/topics.handler';
import { AuditModule } from './audit.module';
import { ApiKeyGuard } from '../http/auth/api-key.guard';
import { ApiKeys } from '../http/auth/api-keys';
import { rateLimitModule } from '../http/auth/rate-limit';
import { DevelopmentsController } from '../http/controllers/developments.controller';
import { EventsController } from '../http/controllers/events.controller';
import { EventsLiveController } from '../http/controllers/events-live.controller';
import { ProjectionsController } from '../http/controllers/projections.controller';
import { HealthController } from '../http/controllers/health.controller';
import { KnowledgeController } from '../http/controllers/knowledge.controller';
import { SourcesController } from '../http/controllers/sources.controller';
import { TopicsController } from '../http/controllers/topics.controller';
import { DtoValidationPipe } from '../http/dto-validation.pipe';
import { IdempotencyStore } from '../http/idempotency/idempotency.store';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { LiveEventStreams } from '../http/sse/live-event-streams';
import { ArticleSeeder } from '../seed/article-seeder';
import { AppConfig } from '../platform/app-config';
import { Clock, systemClock } from '../platform/clock';
import { PlatformModule } from '../platform/platform.module';
import { ProjectionsModule } from '../projections/projections.module';
import { RelayModule } from '../relay/relay.module';
import { Storage } from './open-storage';
import { StorageModule } from './storage.module';

/** Wires the application; holds no logic. */
@Module({})
export class AppModule {
  static register(config: AppConfig, storage: Storage, clock: Clock = systemClock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.register(config, clock),
        rateLimitModule(config),
        CqrsModule.forRoot(),
        TerminusModule,
        StorageModule.register(storage),
        ProjectionsModule,
        RelayModule,
        AuditModule,
      ],
      controllers: [
        SourcesController,
        DevelopmentsController,
        KnowledgeController,
        TopicsController,
        EventsController,
        EventsLiveController,
        ProjectionsController,
        HealthController,
      ],
      providers: [
        ConsumerStatuses,
        StreamWriter,
        RegisteredSources,
        RegisterSourceHandler,
        RateSourceHandler,
        RecordDevelopmentHandler,
        ReportClaimHandler,
        RetractClaimHandler,
        CorrectDevelopmentHandler,
        ReviseDevelopmentHandler,
        CorrectClaimHandler,
        KnowledgeAsOfHandler,
        { provide: KNOWLEDGE_PAGES_CACHE, useValue: new KnowledgePagesCache(config.knowledgeCacheBytes) },
        DevelopmentAsOfHandler,
        EstimateHistoryHandler,
        KnowledgeChangesHandler,
        SourcesHandler,
        SourceHandler,
        SourceClaimsHandler,
        TopicsHandler,
        EventsHandler,
        DevelopmentHistoryHandler,
        IdempotencyStore,
        LiveEventStreams,
        ArticleSeeder,
        ApiKeys,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // After the key guard, so requests are counted per API key.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_PIPE, useClass: DtoValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
