import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { chooseRedemption, decideRedemption, type RedemptionEffects } from '../../domain/redemption.js';
import { build } from '../../entities/base.js';
import type { Command } from '../../entities/command.entity.js';
import { Invoice } from '../../entities/invoice.entity.js';
import { InvoiceLine } from '../../entities/invoice-line.entity.js';
import { LedgerEntry } from '../../entities/ledger-entry.entity.js';
import { Payment } from '../../entities/payment.entity.js';
import { loadPurchaseStates, redemptionLine, type PurchaseRows } from '../../purchases/redemption-state.js';
import { rejected, succeeded, type CommandHandler, type HandlerContext } from '../handler.js';

export interface RedemptionRequest {
  invoiceId: string;
  lineId: string;
  purchaseId?: string;
}

/** Redeems a package or membership on one invoice line (billing-rules.md "Redeeming"). */
export const redemptionHandler: CommandHandler = {
  type: 'redemption',
  async handle({ em, command, clinic }: HandlerContext) {
    const request = command.request as unknown as RedemptionRequest;
    // The invoice's patient never changes, so it can be read before the locks are taken.
    const peek = await em.findOne(Invoice, { id: request.invoiceId, clinicId: clinic.id });
    if (!peek) return rejected('invoice_void', 'The invoice does not exist');
    // Lock order everywhere: purchases (by id), then the invoice.
    const candidates = await loadPurchaseStates(
      em,
      clinic.id,
      request.purchaseId ? { ids: [request.purchaseId] } : { patientId: peek.patientId },
      true,
    );
    const invoice = await em.findOneOrFail(Invoice, { id: peek.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    const line = await em.findOne(InvoiceLine, { id: request.lineId, invoiceId: invoice.id });
    if (!line) return rejected('line_already_redeemed', 'The line does not exist on this invoice');

    const ctx = { channel: command.channel === 'online' ? ('online' as const) : ('staff' as const), membershipGraceDays: clinic.settings.membershipGraceDays };
    const lineState = redemptionLine(invoice, line);
    if (request.purchaseId && candidates.length === 0) return rejected('purchase_not_active', 'The purchase does not exist');
    const decision = request.purchaseId
      ? decideRedemption(lineState, candidates[0].state, ctx)
      : chooseRedemption(lineState, candidates.map((c) => c.state), ctx);
    if (!decision.ok) return rejected(decision.rejected);

    const chosen = candidates.find((c) => c.purchase.id === decision.effects.purchaseId)!;
    const paymentId = await applyRedemption(em, command, invoice, line, chosen, decision.effects);
    return succeeded({
      purchaseId: chosen.purchase.id,
      coveredAmount: decision.effects.coveredAmount,
      ...(paymentId ? { paymentId } : {}),
      invoiceId: invoice.id,
      lineId: line.id,
      serviceId: decision.effects.serviceId,
      quantity: decision.effects.quantity,
      ...(decision.effects.cycleStart ? { cycleStart: decision.effects.cycleStart } : {}),
    });
  },
};

/** Writes the decision's effects; every row carries a key unique to this command. */
async function applyRedemption(
  em: EntityManager,
  command: Command,
  invoice: Invoice,
  line: InvoiceLine,
  { purchase, balances }: PurchaseRows,
  effects: RedemptionEffects,
): Promise<string | null> {
  let paymentId: string | null = null;
  if (effects.insurance) {
    // Insurance-friendly: the visit is priced at the package rate and paid from the package credit.
    invoice.total += effects.insurance.lineAmount - line.amount;
    line.unitPrice = effects.insurance.unitPrice;
    line.amount = effects.insurance.lineAmount;
    if (effects.insurance.paymentAmount > 0) {
      const payment = build(Payment, {
        clinicId: invoice.clinicId,
        invoiceId: invoice.id,
        amount: effects.insurance.paymentAmount,
        method: 'package_credit',
        reference: `purchase ${purchase.id}`,
        commandId: command.id,
        effectKey: `${command.id}:package_credit`,
        createdByKeyId: command.requestedByKeyId,
      });
      em.persist(payment);
      invoice.amountPaid += payment.amount;
      paymentId = payment.id;
    }
  }
  line.coveredAmount = effects.coveredAmount;
  line.redemptionPurchaseId = purchase.id;
  line.redemptionCommandId = command.id;
  line.redemptionPaymentId = paymentId;
  invoice.coveredAmount += effects.coveredAmount;
  if (invoice.total - invoice.coveredAmount - invoice.amountPaid === 0) invoice.status = 'paid';

  em.persist(
    build(LedgerEntry, {
      clinicId: invoice.clinicId,
      purchaseId: purchase.id,
      serviceId: effects.serviceId,
      type: 'redeemed',
      visits: -effects.quantity,
      cycleStart: effects.cycleStart,
      invoiceId: invoice.id,
      commandId: command.id,
      effectKey: `${command.id}:redeemed`,
      byKeyId: command.requestedByKeyId,
    }),
  );
  if (purchase.kind === 'package') {
    const balance = balances.find((b) => b.serviceId === effects.serviceId)!;
    balance.used += effects.quantity;
  }
  if (effects.exhausts) purchase.status = 'exhausted';
  await em.flush();
  return paymentId;
}
