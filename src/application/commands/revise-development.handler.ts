import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DevelopmentInput } from '../../domain/development/development.decider';
import { CommandContext } from '../../event-store/handle-command';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { developmentStreams } from './aggregate-streams';

export class ReviseDevelopmentCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; changes: Partial<DevelopmentInput>; reportedAt: string; basisClaimId?: string; reason: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(ReviseDevelopmentCommand)
export class ReviseDevelopmentHandler implements ICommandHandler<ReviseDevelopmentCommand, WriteResult> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: ReviseDevelopmentCommand): Promise<WriteResult> {
    const revisionId = context.ids.uuid();
    const command = { type: 'ReviseDevelopment', data: { ...input, revisionId } } as const;
    return { ...(await this.writer.write(developmentStreams, input.developmentId, command, context)), revisionId };
  }
}
