import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DevelopmentFields } from '../../domain/development/development.events';
import { CommandContext } from '../../event-store/handle-command';
import { WriteResult } from '../write-result';
import { DevelopmentCommands } from './development-commands';

export class CorrectDevelopmentCommand {
  constructor(
    readonly input: Readonly<{ developmentId: string; changes: Partial<DevelopmentFields>; reason: string }>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CorrectDevelopmentCommand)
export class CorrectDevelopmentHandler implements ICommandHandler<CorrectDevelopmentCommand, WriteResult> {
  constructor(private readonly developments: DevelopmentCommands) {}

  execute({ input, context }: CorrectDevelopmentCommand): Promise<WriteResult> {
    return this.developments.run({ type: 'CorrectDevelopment', data: input }, context);
  }
}
