import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { RegisterSourceCommand } from '../../application/commands/register-source.handler';
import { SourceQuery, SourcesQuery } from '../../application/queries/sources.handler';
import { WriteResult } from '../../application/write-result';
import { CommandContext } from '../../event-store/handle-command';
import { SourceView } from '../../projections/knowledge/knowledge.queries';
import { RegisterSourceDto, toSourceInput } from '../dto/source.dto';
import { writeResultJson } from '../json';
import { WriteContext } from '../request-context';

@ApiTags('sources')
@Controller('v1/sources')
@Roles('reader', 'editor', 'auditor', 'admin')
export class SourcesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Roles('editor', 'admin')
  async register(@Body() dto: RegisterSourceDto, @WriteContext() context: CommandContext) {
    const result = await this.commands.execute<RegisterSourceCommand, WriteResult>(new RegisterSourceCommand(toSourceInput(dto), context));
    return writeResultJson(result);
  }

  @Get()
  async list() {
    return { items: await this.queries.execute<SourcesQuery, SourceView[]>(new SourcesQuery()) };
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.queries.execute<SourceQuery, SourceView>(new SourceQuery(id));
  }
}
