import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ClaimInput } from '../../domain/development/claim-input';
import { DevelopmentInput } from '../../domain/development/development.decider';
import { slugify } from '../../domain/shared/slug';
import { CommandContext } from '../../event-store/handle-command';
import { RegisteredSources } from '../registered-sources';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { developmentStreams } from './aggregate-streams';

export class RecordDevelopmentCommand {
  constructor(
    readonly input: Readonly<{ id?: string; fields: DevelopmentInput; claim: ClaimInput; claimId?: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RecordDevelopmentCommand)
export class RecordDevelopmentHandler implements ICommandHandler<RecordDevelopmentCommand, WriteResult> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly sources: RegisteredSources,
  ) {}

  async execute({ input, context }: RecordDevelopmentCommand): Promise<WriteResult> {
    const { fields, claim } = input;
    // An id the editor did not choose: the title's slug, made unique.
    const developmentId = input.id ?? `${slugify(fields.title)}-${context.ids.suffix()}`;
    const claimId = input.claimId ?? context.ids.uuid();
    const registeredSourceIds = await this.sources.among([claim.sourceId, ...(claim.via ?? [])]);
    const command = { type: 'RecordDevelopment', data: { developmentId, fields, claimId, claim, registeredSourceIds } } as const;
    return { ...(await this.writer.write(developmentStreams, developmentId, command, context)), claimId };
  }
}
