import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { ExistenceCheck } from '@app/billing';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { CommandsService } from '../commands/commands.service.js';
import { CreateRedemptionDto } from './dto/create-redemption.dto.js';

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/redemptions')
export class RedemptionsController {
  constructor(private readonly commands: CommandsService) {}

  @Post()
  @HttpCode(202)
  @Roles(...STAFF)
  @CommandEndpoint()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30): answer when the command has finished, if within N seconds' })
  async redeem(@Body() body: CreateRedemptionDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'redemption', { ...body }, { requires: redemptionRefersTo(body, auth.clinicId) });
  }
}

/** Unknown references are a 404 now rather than a rejected command later. */
function redemptionRefersTo(body: CreateRedemptionDto, clinicId: string): ExistenceCheck {
  return {
    sql: `case when not exists (select 1 from invoice where id = ? and clinic_id = ?) then 'Invoice'
               when not exists (select 1 from invoice_line where id = ? and invoice_id = ?) then 'Invoice line'
               when ?::uuid is not null and not exists (select 1 from purchase where id = ?::uuid and clinic_id = ? and deleted_at is null) then 'Purchase' end`,
    params: [body.invoiceId, clinicId, body.lineId, body.invoiceId, body.purchaseId ?? null, body.purchaseId ?? null, clinicId],
  };
}
