import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandContext } from '../../event-store/handle-command';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { developmentStreams } from './aggregate-streams';

export class RetractClaimCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; claimId: string; reportedAt: string; reason: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RetractClaimCommand)
export class RetractClaimHandler implements ICommandHandler<RetractClaimCommand, WriteResult> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RetractClaimCommand): Promise<WriteResult> {
    const written = await this.writer.write(developmentStreams, input.developmentId, { type: 'RetractClaim', data: input }, context);
    return { ...written, claimId: input.claimId };
  }
}
