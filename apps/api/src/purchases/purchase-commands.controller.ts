import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CommandsService } from '../commands/commands.service.js';
import { CancellationDto, ExtensionDto, PauseDto, RefundDto, ResumeDto, TransferDto } from './dto/purchase-commands.dto.js';

/** Back-office commands on a purchase, queued to the worker. */
@ApiTags('commands')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: true })
@ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30)' })
@Controller('v1/purchases/:id')
export class PurchaseCommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Post('cancellation')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  cancel(@Param('id', UuidParam) id: string, @Body() body: CancellationDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'cancellation', { purchaseId: id, ...body });
  }

  @Post('refunds')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  refund(@Param('id', UuidParam) id: string, @Body() body: RefundDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'refund', { purchaseId: id, ...body });
  }

  @Post('transfers')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  transfer(@Param('id', UuidParam) id: string, @Body() body: TransferDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'transfer', { purchaseId: id, ...body });
  }

  @Post('extension')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  extend(@Param('id', UuidParam) id: string, @Body() body: ExtensionDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'extension', { purchaseId: id, ...body });
  }

  @Post('pause')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  pause(@Param('id', UuidParam) id: string, @Body() body: PauseDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'pause', { purchaseId: id, ...body });
  }

  @Post('resume')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  resume(@Param('id', UuidParam) id: string, @Body() body: ResumeDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'resume', { purchaseId: id, ...body });
  }
}

