import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ClaimInput } from '../../domain/development/claim-input';
import { CommandContext } from '../../event-store/handle-command';
import { RegisteredSources } from '../registered-sources';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { developmentStreams } from './aggregate-streams';

export class ReportClaimCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; claim: ClaimInput; claimId?: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(ReportClaimCommand)
export class ReportClaimHandler implements ICommandHandler<ReportClaimCommand, WriteResult> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly sources: RegisteredSources,
  ) {}

  async execute({ input, context }: ReportClaimCommand): Promise<WriteResult> {
    const { developmentId, claim } = input;
    const claimId = input.claimId ?? context.ids.uuid();
    const registeredSourceIds = await this.sources.among([claim.sourceId, ...(claim.via ?? [])]);
    const command = { type: 'ReportClaim', data: { developmentId, claimId, claim, registeredSourceIds } } as const;
    return { ...(await this.writer.write(developmentStreams, developmentId, command, context)), claimId };
  }
}
