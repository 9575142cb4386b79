import type { EntityManager } from '@mikro-orm/postgresql';
import type { IsoDate } from '../domain/dates.js';
import { BATCH_SIZE } from './batches.js';

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
       update purchase p set status = 'cancelled' from due where p.id = due.id returning p.id`,
      [clinicId, asOf, BATCH_SIZE],
    );
    applied += rows.length;
    if (rows.length < BATCH_SIZE) return applied;
  }
}
