import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ClaimFields } from '../../domain/development/development.events';
import { CommandContext } from '../../event-store/handle-command';
import { WriteResult } from '../write-result';
import { DevelopmentCommands } from './development-commands';

export class CorrectClaimCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; claimId: string; changes: Partial<ClaimFields>; reason: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CorrectClaimCommand)
export class CorrectClaimHandler implements ICommandHandler<CorrectClaimCommand, WriteResult> {
  constructor(private readonly developments: DevelopmentCommands) {}

  async execute({ input, context }: CorrectClaimCommand): Promise<WriteResult> {
    const registeredSourceIds = await this.developments.sourcesAmong([input.changes.sourceId]);
    return this.developments.run({ type: 'CorrectClaim', data: { ...input, registeredSourceIds } }, context, input.claimId);
  }
}
