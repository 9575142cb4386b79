import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Invoice, InvoiceLine, Purchase } from '@app/billing';
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

  /** Unknown references are a 404 now rather than a rejected command later. */
  private async assertExists(body: CreateRedemptionDto, clinicId: string): Promise<void> {
    const em = this.em.fork();
    const [invoice, line, purchase] = await Promise.all([
      em.count(Invoice, { id: body.invoiceId, clinicId }),
      em.count(InvoiceLine, { id: body.lineId, invoiceId: body.invoiceId }),
      body.purchaseId ? em.count(Purchase, { id: body.purchaseId, clinicId, deletedAt: null }) : Promise.resolve(1),
    ]);
    if (!invoice) throw notFound('Invoice');
    if (!line) throw notFound('Invoice line');
    if (!purchase) throw notFound('Purchase');
  }
}
