import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { developmentStreamId } from '../../domain/development/development.events';
import { NotFoundError } from '../../domain/shared/domain.errors';
import { EVENT_STORE, EventStore, ReadAllOptions, StoredEvent } from '../../event-store/event-store.port';

/** A page of the log, for downstream services. Events are served exactly as stored. */
export class EventsQuery {
  constructor(readonly options: ReadAllOptions & { limit: number }) {}
}

export class DevelopmentHistoryQuery {
  constructor(readonly developmentId: string) {}
}

@QueryHandler(EventsQuery)
export class EventsHandler implements IQueryHandler<EventsQuery, StoredEvent[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ options }: EventsQuery): Promise<StoredEvent[]> {
    return this.store.readAll(options);
  }
}

@QueryHandler(DevelopmentHistoryQuery)
export class DevelopmentHistoryHandler implements IQueryHandler<DevelopmentHistoryQuery, StoredEvent[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ developmentId }: DevelopmentHistoryQuery): Promise<StoredEvent[]> {
    const events = await this.store.readStream(developmentStreamId(developmentId));
    if (events.length === 0) throw new NotFoundError('development', developmentId);
    return events;
  }
}
