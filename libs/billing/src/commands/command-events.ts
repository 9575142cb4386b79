import type { CommandStatus, CommandType } from '../entities/command.entity.js';

/** Postgres channel on which finished commands are announced (NOTIFY is delivered on commit). */
export const COMMAND_EVENTS_CHANNEL = 'command_events';

export interface CommandEvent {
  id: string;
  clinicId: string;
  type: CommandType;
  status: CommandStatus;
}
