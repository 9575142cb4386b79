import type { EntityManager } from '@mikro-orm/postgresql';
import { decideInvoiceVoid, type InvoiceVoidEffects, type InvoiceVoidState } from '../../domain/invoice-void.js';
import { giveBackAll, type GiveBackTarget } from '../../domain/reversal.js';
import type { Command } from '../../entities/command.entity.js';
import type { GivenBackResult } from '../catalogue.js';
import type { ShapedWrite } from '../handler.js';
import { giveBackWrites, givenBackResults } from './give-back.effects.js';
import { giveBackTarget, lockInvoiceWithPurchases, type LockedInvoice, type LockedPurchase, type RedeemedLineRow } from './give-back.repository.js';

/** An invoice locked after its redemptions' purchases, as a void decides on it. */
export interface VoidableInvoice {
  invoice: LockedInvoice;
  purchases: Map<string, LockedPurchase>;
  lines: RedeemedLineRow[];
  state: InvoiceVoidState;
}

export async function loadVoidableInvoice(em: EntityManager, clinicId: string, invoiceId: string): Promise<VoidableInvoice | null> {
  const locked = await lockInvoiceWithPurchases(em, clinicId, invoiceId);
  if (!locked) return null;
  const state: InvoiceVoidState = {
    kind: locked.invoice.kind,
    status: locked.invoice.status,
    payments: locked.payments,
    redemptions: locked.lines.map((l) => ({ commandId: l.redemptionId, purchaseId: l.purchaseId, purchaseStatus: locked.purchases.get(l.purchaseId)!.status })),
  };
  return { invoice: locked.invoice, purchases: locked.purchases, lines: locked.lines, state };
}

/** The void's writes: every redemption taken off (reversed, or released for a cancelled purchase), then the invoice void. */
export function invoiceVoidWrites(command: Command, clinicId: string, voidable: VoidableInvoice, effects: InvoiceVoidEffects, note: string | null): { writes: ShapedWrite[]; redemptions: GivenBackResult[] } {
  const byId = new Map(voidable.lines.map((l) => [l.redemptionId, l]));
  const targets: GiveBackTarget[] = effects.redemptions.map((r) => giveBackTarget(byId.get(r.commandId)!, voidable.invoice, voidable.purchases.get(r.purchaseId)!));
  const given = giveBackAll(targets, note);
  const { invoice } = voidable;
  const final = given.at(-1)?.invoice ?? { total: invoice.total, coveredAmount: invoice.coveredAmount, amountPaid: invoice.amountPaid, status: invoice.status };
  return { writes: giveBackWrites(command, clinicId, targets, given, { id: invoice.id, final, voided: true }), redemptions: givenBackResults(given) };
}

export { decideInvoiceVoid };
