import { Inject, Injectable } from '@nestjs/common';
import { DevelopmentCommand, developmentDecider } from '../../domain/development/development.decider';
import { developmentStreamId } from '../../domain/development/development.events';
import { EVENT_STORE, EventStore } from '../../event-store/event-store.port';
import { KeyedMutex } from '../../platform/async-mutex';
import { CommandContext, handleCommand } from '../../event-store/handle-command';
import { ProjectionGate } from '../../projections/projection-gate';
import { registeredSources } from '../registered-sources';
import { WriteResult } from '../write-result';

/** Runs a command against a development's stream and waits until reads reflect it. */
@Injectable()
export class DevelopmentCommands {
  /** Commands on one development run one at a time here; other instances are met by retries. */
  private readonly streams = new KeyedMutex();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionGate,
  ) {}

  sourcesAmong(ids: readonly (string | undefined)[]): Promise<string[]> {
    return registeredSources(this.store, ids);
  }

  async run(command: DevelopmentCommand, context: CommandContext, claimId?: string): Promise<WriteResult> {
    const developmentId = command.data.developmentId;
    const streamId = developmentStreamId(developmentId);
    const result = await this.streams.run(streamId, () => handleCommand(this.store, streamId, developmentDecider, command, context));
    const caughtUp = await this.projections.caughtUp(result.position);
    return {
      id: developmentId,
      version: result.streamVersion,
      position: result.position,
      ...(claimId ? { claimId } : {}),
      ...(result.replayed ? { replayed: true } : {}),
      ...(caughtUp ? {} : { readModelBehind: true }),
    };
  }
}
