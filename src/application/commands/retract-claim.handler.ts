import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandContext } from '../../event-store/handle-command';
import { WriteResult } from '../write-result';
import { DevelopmentCommands } from './development-commands';

export class RetractClaimCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; claimId: string; reportedAt: string; reason: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RetractClaimCommand)
export class RetractClaimHandler implements ICommandHandler<RetractClaimCommand, WriteResult> {
  constructor(private readonly developments: DevelopmentCommands) {}

  execute({ input, context }: RetractClaimCommand): Promise<WriteResult> {
    return this.developments.run({ type: 'RetractClaim', data: input }, context, input.claimId);
  }
}
