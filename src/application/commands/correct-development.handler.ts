import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DevelopmentInput } from '../../domain/development/development.decider';
import { CommandContext } from '../../event-store/handle-command';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { developmentStreams } from './aggregate-streams';

export class CorrectDevelopmentCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; revisionId?: string; changes: Partial<DevelopmentInput>; reason: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CorrectDevelopmentCommand)
export class CorrectDevelopmentHandler implements ICommandHandler<CorrectDevelopmentCommand, WriteResult> {
  constructor(private readonly writer: StreamWriter) {}

  execute({ input, context }: CorrectDevelopmentCommand): Promise<WriteResult> {
    return this.writer.write(developmentStreams, input.developmentId, { type: 'CorrectDevelopment', data: input }, context);
  }
}
