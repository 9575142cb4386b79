import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { allowedFrom } from '../domain/transitions.js';
import { BATCH_SIZE, placeholders } from './batches.js';
import { rerunDeadlocked } from '../database/deadlocks.js';

/** The statuses the purchase table lets move to expired: the update's guard, so it never writes a move the table lacks. */
const EXPIRABLE = allowedFrom('purchase', 'expired');

/**
 * Active packages whose last day is before `asOf` become `expired`, with a history entry
 * carrying the visits left (kept in the record, no longer redeemable).
 */
export async function expirePackages(em: EntityManager, clinicId: string, asOf: IsoDate, commandId: string | null): Promise<number> {
  let expired = 0;
  for (;;) {
    const count = await rerunDeadlocked(() => em.fork().transactional(async (tx) => {
      const rows = await tx.execute<{ id: string }[]>(
        `with due as (
           select id from purchase
            where clinic_id = ? and kind = 'package' and status = 'active' and deleted_at is null and expires_on < ?
            order by id limit ? for update
         )
         update purchase p set status = 'expired' from due where p.id = due.id and p.status in (${placeholders(EXPIRABLE.length)}) returning p.id`,
        [clinicId, asOf, BATCH_SIZE, ...EXPIRABLE],
      );
      if (rows.length === 0) return 0;
      await tx.execute(
        `insert into ledger_entry (id, created_at, clinic_id, purchase_id, type, visits, amount, command_id, effect_key, details)
         select gen_random_uuid(), now(), ?, b.purchase_id, 'expired', 0, 0, ?, 'expired:' || b.purchase_id,
                jsonb_build_object('quantity', sum(b.total + b.transferred_in - b.used - b.transferred_out))
           from purchase_balance b where b.purchase_id = any(?::uuid[])
          group by b.purchase_id
         on conflict (effect_key) do nothing`,
        [clinicId, commandId, `{${rows.map((r) => r.id).join(',')}}`],
      );
      return rows.length;
    }));
    expired += count;
    if (count < BATCH_SIZE) return expired;
  }
}
