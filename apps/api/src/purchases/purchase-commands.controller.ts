import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { ExistenceCheck } from '@app/billing';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CommandsService } from '../commands/commands.service.js';
import { CancellationDto, RefundDto, TransferDto } from './dto/purchase-commands.dto.js';

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
    return this.commands.submit(req, auth, 'cancellation', { purchaseId: id, ...body }, { requires: purchaseExists(id, auth.clinicId) });
  }

  @Post('refunds')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  refund(@Param('id', UuidParam) id: string, @Body() body: RefundDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'refund', { purchaseId: id, ...body }, { requires: purchaseExists(id, auth.clinicId) });
  }

  @Post('transfers')
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  transfer(@Param('id', UuidParam) id: string, @Body() body: TransferDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'transfer', { purchaseId: id, ...body }, {
      requires: {
        sql: `case when not exists (select 1 from purchase where id = ? and clinic_id = ? and deleted_at is null) then 'Purchase'
                   when not exists (select 1 from patient where id = ? and clinic_id = ?) then 'Patient' end`,
        params: [id, auth.clinicId, body.toPatientId, auth.clinicId],
      },
    });
  }
}

/** A purchase of the clinic that was not deleted, checked where the command is stored. */
function purchaseExists(id: string, clinicId: string): ExistenceCheck {
  return { sql: `case when not exists (select 1 from purchase where id = ? and clinic_id = ? and deleted_at is null) then 'Purchase' end`, params: [id, clinicId] };
}
