import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clinic, Invoice, InvoiceLine, loadPurchaseStates, redeemableOptions, redemptionLine, remainingOn } from '@app/billing';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { notFound } from '../common/problem.exception.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { RedeemableResponse } from './dto/redeemable.response.js';

/** Which purchases could cover which line: the very rules the worker applies, so the Redeem button never lies. */
@ApiTags('invoices')
@ApiBearerAuth()
@Controller('v1/invoices')
export class RedeemableController {
  constructor(private readonly em: EntityManager) {}

  @Get(':id/redeemable')
  @Roles(...STAFF)
  @ApiOkResponse({ type: RedeemableResponse })
  async redeemable(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext) {
    const invoice = await this.em.findOne(Invoice, { id, clinicId: auth.clinicId });
    if (!invoice) throw notFound('Invoice');
    const [clinic, lines, purchases] = await Promise.all([
      this.em.findOneOrFail(Clinic, { id: auth.clinicId }),
      this.em.find(InvoiceLine, { invoiceId: id }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      loadPurchaseStates(this.em, auth.clinicId, { patientId: invoice.patientId }),
    ]);
    const ctx = { channel: 'staff' as const, membershipGraceDays: clinic.settings.membershipGraceDays };
    const states = purchases.map((p) => p.state);
    const names = new Map(purchases.map((p) => [p.purchase.id, p.purchase.planName]));
    return {
      lines: lines.map((line) => {
        const state = redemptionLine(invoice, line);
        return {
          lineId: line.id,
          options: line.serviceId
            ? redeemableOptions(state, states, ctx).map((p) => ({
                purchaseId: p.id,
                planName: names.get(p.id),
                kind: p.kind,
                remaining: remainingOn(p, state.serviceId, state.serviceDate),
                expiresOn: p.expiresOn,
              }))
            : [],
        };
      }),
    };
  }
}
