import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Response } from 'express';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Command, COMMANDS_QUEUE, retryFailedCommand, type CommandJobData, type CommandStatus, type CommandType } from '@app/billing';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { ANY_ROLE, BACK_OFFICE, Roles, STAFF } from '../auth/roles.decorator.js';
import { decodeCursor, pageLimit, toPage } from '../common/pagination.js';
import { ProblemException } from '../common/problem.exception.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CommandsService } from './commands.service.js';
import { CommandPage, CommandResponse } from './dto/command.response.js';
import { ListCommandsQuery } from './dto/list-commands.query.js';

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/commands')
export class CommandsController {
  constructor(
    private readonly commands: CommandsService,
    private readonly em: EntityManager,
    @InjectQueue(COMMANDS_QUEUE) private readonly queue: Queue<CommandJobData>,
  ) {}

  /** A failed command queued again for COMMAND_ATTEMPTS more tries (libs/billing/src/commands/retry.ts). */
  @Post(':id/retry')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @ApiAcceptedResponse({ type: CommandResponse, description: 'Queued again: same id, request and effect keys; attempts keeps counting' })
  async retry(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext, @Res({ passthrough: true }) res: Response) {
    const outcome = await retryFailedCommand(this.em, this.queue, auth.clinicId, id);
    if (!outcome.ok) {
      throw outcome.reason === 'not_found'
        ? new ProblemException('not_found', 'Command not found')
        : new ProblemException('not_retryable', 'Only a failed command can be retried');
    }
    res.setHeader('Location', `/v1/commands/${id}`);
    return this.commands.resource(outcome.command);
  }

  @Get(':id')
  @Roles(...ANY_ROLE)
  @ApiOkResponse({ type: CommandResponse, description: 'The online channel sees only the commands it created' })
  async get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext) {
    const command = await this.commands.find(id, auth.clinicId);
    // The online channel sees only what it created.
    if (auth.role === 'online' && command.requestedByKeyId !== auth.keyId) throw new ProblemException('not_found', 'Command not found');
    return this.commands.resource(command);
  }

  @Get()
  @Roles(...STAFF)
  @ApiOkResponse({ type: CommandPage, description: 'Newest first' })
  async list(@Query() query: ListCommandsQuery, @Auth() auth: AuthContext) {
    const limit = pageLimit(query);
    const cursor = decodeCursor(query.cursor);
    const where: { clinicId: string; type?: CommandType; status?: CommandStatus; id?: { $lt: string } } = { clinicId: auth.clinicId };
    if (query.type) where.type = query.type;
    if (query.status) where.status = query.status;
    if (cursor) where.id = { $lt: cursor };
    const rows = await this.em.find(Command, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
    return toPage(rows, limit, (c) => this.commands.resource(c));
  }
}
