import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ClaimInput } from '../../domain/development/claim-input';
import { CommandContext } from '../../event-store/handle-command';
import { RegisteredSources } from '../registered-sources';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { developmentStreams } from './aggregate-streams';

export class CorrectClaimCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; claimId: string; changes: Partial<ClaimInput>; reason: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CorrectClaimCommand)
export class CorrectClaimHandler implements ICommandHandler<CorrectClaimCommand, WriteResult> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly sources: RegisteredSources,
  ) {}

  async execute({ input, context }: CorrectClaimCommand): Promise<WriteResult> {
    const registeredSourceIds = await this.sources.among([input.changes.sourceId, ...(input.changes.via ?? [])]);
    const command = { type: 'CorrectClaim', data: { ...input, registeredSourceIds } } as const;
    return { ...(await this.writer.write(developmentStreams, input.developmentId, command, context)), claimId: input.claimId };
  }
}
