import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ClaimFields, DevelopmentFields } from '../../domain/development/development.events';
import { slugify } from '../../domain/shared/slug';
import { CommandContext } from '../../event-store/handle-command';
import { WriteResult } from '../write-result';
import { DevelopmentCommands } from './development-commands';

export class RecordDevelopmentCommand {
  constructor(
    readonly input: Readonly<{ id?: string; fields: DevelopmentFields; claim: ClaimFields; claimId?: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RecordDevelopmentCommand)
export class RecordDevelopmentHandler implements ICommandHandler<RecordDevelopmentCommand, WriteResult> {
  constructor(private readonly developments: DevelopmentCommands) {}

  async execute({ input, context }: RecordDevelopmentCommand): Promise<WriteResult> {
    // An id the editor did not choose: the title's slug, made unique.
    const developmentId = input.id ?? `${slugify(input.fields.title)}-${context.ids.suffix()}`;
    const claimId = input.claimId ?? context.ids.uuid();
    const registeredSourceIds = await this.developments.sourcesAmong([input.claim.sourceId]);
    return this.developments.run(
      { type: 'RecordDevelopment', data: { developmentId, fields: input.fields, claimId, claim: input.claim, registeredSourceIds } },
      context,
      claimId,
    );
  }
}
