import type { EntityManager } from '@mikro-orm/postgresql';
import { Command, FINAL_COMMAND_STATUSES, type CommandChannel, type CommandType } from '../entities/command.entity.js';
import { newId } from '../entities/base.js';
import { IdempotencyStore } from './idempotency-store.js';
import { requestHash } from './request-hash.js';
import { columnsOf, executePrepared } from '../database/prepared.js';

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
  /** What the command refers to, checked in the same statement: nothing is stored when it is missing. */
  requires?: ExistenceCheck;
}

/** A SQL expression that names the first thing missing (e.g. 'Invoice'), or is null when all exist. */
export interface ExistenceCheck {
  sql: string;
  params: unknown[];
}

export type SubmitResult =
  | { outcome: 'created'; command: Command }
  | { outcome: 'replayed'; command: Command }
  | { outcome: 'key_reused' }
  | { outcome: 'missing'; missing: string };

/**
 * Stores a command and its idempotency key atomically, in one statement (one round trip): what
 * the command refers to is checked, the key is claimed with INSERT … ON CONFLICT DO NOTHING, and
 * the command is inserted only if both went well. Of concurrent submissions with one key,
 * exactly one creates; the others wait for its transaction and then find its command. The
 * caller queues the job only after this returns: Postgres is the record, Redis the wake-up call.
 */
export async function submitCommand(em: EntityManager, input: SubmitCommand): Promise<SubmitResult> {
  const id = newId();
  const hash = input.idempotencyKey === null ? null : requestHash(input.endpoint, input.request);
  const requires = input.requires ?? { sql: 'null::text', params: [] };
  const claim =
    input.idempotencyKey === null
      ? { sql: 'select 1 as id where (select missing from found) is null', params: [] }
      : {
          sql: `insert into idempotency_record (id, clinic_id, key, endpoint, request_hash, command_id, state, created_at)
                select gen_random_uuid(), ?, ?, ?, ?, ?, 'done', now() where (select missing from found) is null
                on conflict (clinic_id, key) do nothing returning id`,
          params: [input.clinicId, input.idempotencyKey, input.endpoint, hash, id],
        };
  const rows = await executePrepared<Record<string, unknown>>(em,
    `with found as (select (${requires.sql})::text as missing),
     claim as (${claim.sql}),
     created as (
       insert into command (id, created_at, clinic_id, type, status, request, idempotency_key, channel, attempts, requested_by_key_id, correlation_id)
       select ?, now(), ?, ?, 'queued', ?::jsonb, ?, ?, 0, ?, ? where exists (select 1 from claim)
       returning *
     )
     select found.missing, ${columnsOf(em, Command, 'created')} from found left join created on true`,
    [
      ...requires.params,
      ...claim.params,
      id, input.clinicId, input.type, JSON.stringify(input.request), input.idempotencyKey, input.channel, input.requestedByKeyId, input.correlationId ?? null,
    ],
  );
  const { missing, ...row } = rows[0];
  if (missing !== null) return { outcome: 'missing', missing: missing as string };
  if (row.id !== null) return { outcome: 'created', command: em.map(Command, row) };
  const existing = await new IdempotencyStore(em).find(input.clinicId, input.idempotencyKey!);
  if (!existing || existing.commandId === null || existing.requestHash !== hash) return { outcome: 'key_reused' };
  const command = await em.findOneOrFail(Command, { id: existing.commandId, clinicId: input.clinicId });
  return { outcome: 'replayed', command };
}

export const isFinal = (command: Pick<Command, 'status'>) => FINAL_COMMAND_STATUSES.includes(command.status);

/** What the command resource shows, with instants as ISO strings (from a row or a notification). */
export interface CommandFields {
  id: string;
  type: Command['type'];
  status: Command['status'];
  request: Command['request'];
  result?: Command['result'] | null;
  error?: Command['error'] | null;
  attempts: number;
  progress?: Command['progress'] | null;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
}

/** The command resource of api-v1.md. */
export function commandResource(command: Command) {
  return toCommandResource({
    ...command,
    createdAt: command.createdAt.toISOString(),
    startedAt: command.startedAt?.toISOString(),
    finishedAt: command.finishedAt?.toISOString(),
  });
}

/** The resource's members, in order; absent ones are left out rather than null. */
export function toCommandResource(c: CommandFields) {
  return {
    id: c.id,
    type: c.type,
    status: c.status,
    request: c.request,
    ...(c.result ? { result: c.result } : {}),
    ...(c.error ? { error: c.error } : {}),
    attempts: c.attempts,
    ...(c.progress ? { progress: c.progress } : {}),
    createdAt: c.createdAt,
    ...(c.startedAt ? { startedAt: c.startedAt } : {}),
    ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
  };
}
export type CommandResource = ReturnType<typeof toCommandResource>;
