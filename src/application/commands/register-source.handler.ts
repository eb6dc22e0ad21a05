import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SourceProfile, sourceStreamId } from '../../domain/source/source.events';
import { sourceDecider } from '../../domain/source/source.decider';
import { slugify } from '../../domain/shared/slug';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { CommandContext, handleCommand } from '../../event-store/handle-command';
import { ProjectionGate } from '../../projections/projection-gate';
import { WriteResult } from '../write-result';

export class RegisterSourceCommand {
  constructor(
    readonly input: Readonly<{ id?: string } & SourceProfile>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RegisterSourceCommand)
export class RegisterSourceHandler implements ICommandHandler<RegisterSourceCommand, WriteResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionGate,
  ) {}

  async execute({ input, context }: RegisterSourceCommand): Promise<WriteResult> {
    const { id, ...profile } = input;
    const sourceId = id ?? slugify(profile.name);
    const result = await handleCommand(
      this.store,
      sourceStreamId(sourceId),
      sourceDecider,
      { type: 'RegisterSource', data: { sourceId, ...profile } },
      context,
    );
    const caughtUp = await this.projections.caughtUp(result.position);
    return {
      id: sourceId,
      version: result.streamVersion,
      position: result.position,
      ...(result.replayed ? { replayed: true } : {}),
      ...(caughtUp ? {} : { readModelBehind: true }),
    };
  }
}
