import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ClaimFields } from '../../domain/development/development.events';
import { CommandContext } from '../../event-store/handle-command';
import { WriteResult } from '../write-result';
import { DevelopmentCommands } from './development-commands';

export class ReportClaimCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; claim: ClaimFields; claimId?: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(ReportClaimCommand)
export class ReportClaimHandler implements ICommandHandler<ReportClaimCommand, WriteResult> {
  constructor(private readonly developments: DevelopmentCommands) {}

  async execute({ input, context }: ReportClaimCommand): Promise<WriteResult> {
    const claimId = input.claimId ?? context.ids.uuid();
    const registeredSourceIds = await this.developments.sourcesAmong([input.claim.sourceId]);
    return this.developments.run(
      { type: 'ReportClaim', data: { developmentId: input.developmentId, claimId, claim: input.claim, registeredSourceIds } },
      context,
      claimId,
    );
  }
}
