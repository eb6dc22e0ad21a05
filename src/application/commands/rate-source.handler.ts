import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RateSource } from '../../domain/source/source.decider';
import { CommandContext } from '../../event-store/handle-command';
import { StreamWriter } from '../stream-writer';
import { WriteResult } from '../write-result';
import { sourceStreams } from './aggregate-streams';

export class RateSourceCommand {
  constructor(
    readonly input: RateSource['data'],
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(RateSourceCommand)
export class RateSourceHandler implements ICommandHandler<RateSourceCommand, WriteResult> {
  constructor(private readonly writer: StreamWriter) {}

  execute({ input, context }: RateSourceCommand): Promise<WriteResult> {
    return this.writer.write(sourceStreams, input.sourceId, { type: 'RateSource', data: input }, context);
  }
}
