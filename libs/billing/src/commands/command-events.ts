import type { CommandStatus, CommandType } from '../entities/command.entity.js';
import type { CommandFields } from './command-store.js';

/** Postgres channel on which finished commands are announced (NOTIFY is delivered on commit). */
export const COMMAND_EVENTS_CHANNEL = 'command_events';

export interface CommandEvent {
  id: string;
  clinicId: string;
  type: CommandType;
  status: CommandStatus;
  /**
   * The finished command, so a `Prefer: wait` answers without reading it back. Left out when it
   * would not fit in a notification.
   */
  command?: CommandFields;
}

/** Postgres refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_NOTIFY_PAYLOAD_BYTES = 8000;

/** An ISO instant exactly as `Date.toISOString()` writes it (milliseconds, Z), in SQL. */
export const isoInstantSql = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** SQL for the CommandFields of a command row `c`, as JSON. */
export const commandFieldsSql = (c: string) => `json_build_object(
  'id', ${c}.id, 'type', ${c}.type, 'status', ${c}.status, 'request', ${c}.request, 'result', ${c}.result, 'error', ${c}.error,
  'attempts', ${c}.attempts, 'progress', ${c}.progress, 'createdAt', ${isoInstantSql(`${c}.created_at`)},
  'startedAt', ${isoInstantSql(`${c}.started_at`)}, 'finishedAt', ${isoInstantSql(`${c}.finished_at`)})`;
