import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { notFound } from '../common/problem.exception.js';
import { CommandsService } from '../commands/commands.service.js';
import { CreateRedemptionDto } from './dto/create-redemption.dto.js';

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/redemptions')
export class RedemptionsController {
  constructor(
    private readonly commands: CommandsService,
    private readonly em: EntityManager,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles(...STAFF)
  @CommandEndpoint()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30): answer when the command has finished, if within N seconds' })
  async redeem(@Body() body: CreateRedemptionDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'redemption', { ...body }, { validate: () => this.assertExists(body, auth.clinicId) });
  }

  /** Unknown references are a 404 now rather than a rejected command later (one round trip). */
  private async assertExists(body: CreateRedemptionDto, clinicId: string): Promise<void> {
    const [found] = await this.em.execute<{ invoice: boolean; line: boolean; purchase: boolean }[]>(
      `select exists (select 1 from invoice where id = ? and clinic_id = ?) as invoice,
              exists (select 1 from invoice_line l join invoice i on i.id = l.invoice_id where l.id = ? and i.id = ? and i.clinic_id = ?) as line,
              (?::uuid is null or exists (select 1 from purchase where id = ?::uuid and clinic_id = ? and deleted_at is null)) as purchase`,
      [body.invoiceId, clinicId, body.lineId, body.invoiceId, clinicId, body.purchaseId ?? null, body.purchaseId ?? null, clinicId],
    );
    if (!found.invoice) throw notFound('Invoice');
    if (!found.line) throw notFound('Invoice line');
    if (!found.purchase) throw notFound('Purchase');
  }
}
