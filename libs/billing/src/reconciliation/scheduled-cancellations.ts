import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { allowedFrom } from '../domain/transitions.js';
import { BATCH_SIZE, placeholders } from './batches.js';

/** The statuses the purchase table lets move to cancelled: the update's guard, so it never writes a move the table lacks. */
const CANCELLABLE = allowedFrom('purchase', 'cancelled');

/** Memberships cancelled at the end of their cycle: the cancellation takes effect on `cancelAt`. */
export async function applyScheduledCancellations(em: EntityManager, clinicId: string, asOf: IsoDate): Promise<number> {
  let applied = 0;
  for (;;) {
    const rows = await em.fork().execute<{ id: string }[]>(
      `with due as (
         select id from purchase
          where clinic_id = ? and kind = 'membership' and status = 'active' and cancel_at is not null and cancel_at <= ?
          order by id limit ? for update
       )
       update purchase p set status = 'cancelled' from due where p.id = due.id and p.status in (${placeholders(CANCELLABLE.length)}) returning p.id`,
      [clinicId, asOf, BATCH_SIZE, ...CANCELLABLE],
    );
    applied += rows.length;
    if (rows.length < BATCH_SIZE) return applied;
  }
}
