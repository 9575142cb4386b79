import type { EntityManager } from '@mikro-orm/postgresql';
import type { CommandStatus, CommandType } from '../entities/command.entity.js';

/** Postgres channel on which finished commands are announced (NOTIFY is delivered on commit). */
export const COMMAND_EVENTS_CHANNEL = 'command_events';

export interface CommandEvent {
  id: string;
  clinicId: string;
  type: CommandType;
  status: CommandStatus;
}

/** Call inside the transaction that writes the status: listeners hear of it only if it commits. */
export async function notifyCommandEvent(em: EntityManager, event: CommandEvent): Promise<void> {
  await em.execute('select pg_notify(?, ?)', [COMMAND_EVENTS_CHANNEL, JSON.stringify(event)]);
}
