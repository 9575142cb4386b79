import type { EntityManager } from '@mikro-orm/postgresql';
import { localTimeIn, todayIn } from '../domain/dates.js';
import { Clinic } from '../entities/clinic.entity.js';
import { submitCommand } from '../commands/command-store.js';

/**
 * The daily reconciliation of every clinic whose local time has passed its reconciliation time
 * today. Called on every scheduler tick by any worker: the idempotency key
 * `daily-reconciliation:<date>` (unique per clinic) makes it one command per clinic and day.
 * Returns the ids of the commands created now, for the caller to queue.
 */
export async function submitDueDailyReconciliations(em: EntityManager, now: Date = new Date()): Promise<string[]> {
  const clinics = await em.find(Clinic, {}, { fields: ['id', 'timezone', 'settings'] });
  const created: string[] = [];
  for (const clinic of clinics) {
    if (localTimeIn(clinic.timezone, now) < (clinic.settings.reconciliationTime ?? '02:00')) continue;
    const asOf = todayIn(clinic.timezone, now);
    const result = await submitCommand(em.fork(), {
      clinicId: clinic.id,
      type: 'reconciliation',
      endpoint: 'SCHEDULER daily-reconciliation',
      request: { asOf },
      idempotencyKey: `daily-reconciliation:${asOf}`,
      requestedByKeyId: null,
      channel: 'scheduler',
    });
    if (result.outcome === 'created') created.push(result.command.id);
  }
  return created;
}
