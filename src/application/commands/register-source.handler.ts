import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SourceProfile } from '../../domain/source/source.events';
import { slugify } from '../../domain/shared/slug';
import { CommandContext } from '../../event-store/handle-command';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { sourceStreams } from './aggregate-streams';

export class RegisterSourceCommand {
  constructor(
    readonly input: Readonly<{ id?: string } & SourceProfile>,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RegisterSourceCommand)
export class RegisterSourceHandler implements ICommandHandler<RegisterSourceCommand, WriteResult> {
  constructor(private readonly writer: StreamWriter) {}

  execute({ input, context }: RegisterSourceCommand): Promise<WriteResult> {
    const { id, ...profile } = input;
    const sourceId = id ?? slugify(profile.name);
    return this.writer.write(sourceStreams, sourceId, { type: 'RegisterSource', data: { sourceId, ...profile } }, context);
  }
}
