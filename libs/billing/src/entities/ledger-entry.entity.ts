import { Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey, Money } from './base.js';
import { ApiKey } from './api-key.entity.js';
import { Clinic } from './clinic.entity.js';
import { Purchase } from './purchase.entity.js';

export const LEDGER_TYPES = [
  'purchased', 'redeemed', 'transferred_out', 'transferred_in', 'refunded', 'cancelled', 'expired', 'cycle_started',
  // A redemption given back: reversed (+visits) or only released from its line (0: forfeited).
  'redemption_reversed', 'redemption_released',
  // A package's later expiry; a membership's cycles paused, or unpaused (0 visits, 0 money).
  'extended', 'paused', 'resumed',
] as const;
export type LedgerType = (typeof LEDGER_TYPES)[number];

/**
 * Append-only history of a purchase. `visits` is the signed change of the service's balance
 * (0 for events such as cancelled), `amount` the signed money moved; balances and amounts
 * shown are sums of these. `effectKey` is unique per cause, so a command applied twice
 * cannot write its effect twice.
 */
@Entity({ tableName: 'ledger_entry' })
@Index({ properties: ['purchaseId', 'createdAt'] })
@Index({ properties: ['commandId'] })
export class LedgerEntry extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Purchase, 'purchase_id')
  purchaseId: string;

  @Property({ type: 'uuid', nullable: true })
  serviceId: string | null = null;

  @Property({ type: 'text' })
  type: LedgerType;

  @Property({ type: 'integer', default: 0 })
  visits: number = 0;

  @Money()
  amount: number = 0;

  /** Membership redemptions: the cycle they count against. */
  @Property({ type: 'date', nullable: true })
  cycleStart: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  invoiceId: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  commandId: string | null = null;

  @Property({ type: 'text', unique: true })
  effectKey: string;

  /** Display details for the history (forfeited visits, the other purchase of a transfer, a note). */
  @Property({ type: 'json', nullable: true })
  details: {
    quantity?: number;
    note?: string;
    otherPurchaseId?: string;
    /** extended: the expiry before and after. */
    previousExpiresOn?: string;
    expiresOn?: string;
    /** paused, resumed: the cycles paused or unpaused. */
    cycles?: { start: string; end: string }[];
  } | null = null;

  @ForeignKey(() => ApiKey, 'by_key_id', { nullable: true })
  byKeyId: string | null = null;
}
