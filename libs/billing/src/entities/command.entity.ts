import { Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { ApiKey } from './api-key.entity.js';
import { Clinic } from './clinic.entity.js';
import type { CommandStatus } from '../domain/transitions.js';

export const COMMAND_TYPES = ['redemption', 'receipt_email', 'cancellation', 'refund', 'transfer', 'reconciliation', 'extension', 'pause', 'resume', 'reversal', 'invoice_void', 'invoice_refund', 'appointment_cancellation'] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];
// Declared with their moves (domain/transitions.ts).
export { COMMAND_STATUSES, type CommandStatus } from '../domain/transitions.js';
export const FINAL_COMMAND_STATUSES: readonly CommandStatus[] = ['succeeded', 'rejected', 'failed'];
export type CommandChannel = 'staff' | 'online' | 'scheduler';

export interface CommandProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

/**
 * A money-moving request. Stored before it is queued: this row, not the Redis job, is the
 * record of what was asked, so a lost job is re-queued and a duplicate job finds it final.
 */
@Entity({ tableName: 'command' })
@Index({ properties: ['clinicId', 'createdAt'] })
// Unfinished and failed commands only (the sweeper, the dashboard): Migration20261128130000.
@Index({ name: 'command_clinic_id_status_open_index', expression: `create index "command_clinic_id_status_open_index" on "command" ("clinic_id", "status") where status in ('queued', 'running', 'failed')` })
@Index({ name: 'command_unfinished_created_at_index', expression: `create index "command_unfinished_created_at_index" on "command" ("created_at") where status in ('queued', 'running')` })
export class Command extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @Property({ type: 'text' })
  type: CommandType;

  @Property({ type: 'text' })
  status: CommandStatus = 'queued';

  @Property({ type: 'json' })
  request: Record<string, unknown>;

  @Property({ type: 'text', nullable: true })
  idempotencyKey: string | null = null;

  @Property({ type: 'text' })
  channel: CommandChannel = 'staff';

  @Property({ type: 'json', nullable: true })
  result: Record<string, unknown> | null = null;

  @Property({ type: 'json', nullable: true })
  error: CommandProblem | null = null;

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'json', nullable: true })
  progress: Record<string, unknown> | null = null;

  @ForeignKey(() => ApiKey, 'requested_by_key_id', { nullable: true })
  requestedByKeyId: string | null = null;

  /** Carried from the HTTP request to the job's logs. */
  @Property({ type: 'text', nullable: true })
  correlationId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;
}
