import type { EntityManager } from '@mikro-orm/postgresql';
import { Command, FINAL_COMMAND_STATUSES, type CommandChannel, type CommandType } from '../entities/command.entity.js';
import { newId } from '../entities/base.js';
import { IdempotencyStore } from './idempotency-store.js';
import { requestHash } from './request-hash.js';

export interface SubmitCommand {
  clinicId: string;
  type: CommandType;
  /** METHOD and path, e.g. `POST /v1/purchases/…/refunds`: a key reused on another endpoint is refused. */
  endpoint: string;
  request: Record<string, unknown>;
  idempotencyKey: string | null;
  requestedByKeyId: string | null;
  channel: CommandChannel;
  correlationId?: string | null;
}

export type SubmitResult =
  | { outcome: 'created'; command: Command }
  | { outcome: 'replayed'; command: Command }
  | { outcome: 'key_reused' };

/**
 * Stores a command and its idempotency key atomically, in one statement (one round trip): the key
 * is claimed with INSERT … ON CONFLICT DO NOTHING and the command is inserted only if the claim
 * was won. Of concurrent submissions with one key, exactly one creates; the others wait for its
 * transaction and then find its command. The caller queues the job only after this returns:
 * Postgres is the record, Redis the wake-up call.
 */
export async function submitCommand(em: EntityManager, input: SubmitCommand): Promise<SubmitResult> {
  const id = newId();
  const request = JSON.stringify(input.request);
  const values = [id, input.clinicId, input.type, request, input.idempotencyKey, input.channel, input.requestedByKeyId, input.correlationId ?? null];
  const insertCommand = `insert into command (id, created_at, clinic_id, type, status, request, idempotency_key, channel, attempts, requested_by_key_id, correlation_id)
    select ?, now(), ?, ?, 'queued', ?::jsonb, ?, ?, 0, ?, ?`;
  if (input.idempotencyKey === null) {
    const rows = await em.execute<Record<string, unknown>[]>(`${insertCommand} returning *`, values);
    return { outcome: 'created', command: em.map(Command, rows[0]) };
  }
  const hash = requestHash(input.endpoint, input.request);
  const rows = await em.execute<Record<string, unknown>[]>(
    `with claim as (
       insert into idempotency_record (id, clinic_id, key, endpoint, request_hash, command_id, state, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, 'done', now())
       on conflict (clinic_id, key) do nothing returning id
     )
     ${insertCommand} where exists (select 1 from claim) returning *`,
    [input.clinicId, input.idempotencyKey, input.endpoint, hash, id, ...values],
  );
  if (rows[0]) return { outcome: 'created', command: em.map(Command, rows[0]) };
  const existing = await new IdempotencyStore(em).find(input.clinicId, input.idempotencyKey);
  if (!existing || existing.commandId === null || existing.requestHash !== hash) return { outcome: 'key_reused' };
  const command = await em.findOneOrFail(Command, { id: existing.commandId, clinicId: input.clinicId });
  return { outcome: 'replayed', command };
}

export const isFinal = (command: Pick<Command, 'status'>) => FINAL_COMMAND_STATUSES.includes(command.status);

/** The command resource of api-v1.md. */
export function commandResource(command: Command) {
  return {
    id: command.id,
    type: command.type,
    status: command.status,
    request: command.request,
    ...(command.result ? { result: command.result } : {}),
    ...(command.error ? { error: command.error } : {}),
    attempts: command.attempts,
    ...(command.progress ? { progress: command.progress } : {}),
    createdAt: command.createdAt.toISOString(),
    ...(command.startedAt ? { startedAt: command.startedAt.toISOString() } : {}),
    ...(command.finishedAt ? { finishedAt: command.finishedAt.toISOString() } : {}),
  };
}
export type CommandResource = ReturnType<typeof commandResource>;
