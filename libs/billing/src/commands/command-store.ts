import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type RawBuilder } from 'kysely';
import { Command, FINAL_COMMAND_STATUSES, type CommandChannel } from '../entities/command.entity.js';
import { newId } from '../entities/base.js';
import { COMMAND_COLUMNS, qualified } from '../db/columns.js';
import { commandOf } from './command-row.js';
import { db, json, runShaped, typed } from '../db/query.js';
import { IdempotencyStore } from './idempotency-store.js';
import { requestHash } from './request-hash.js';
import { COMMAND_CATALOGUE, type CommandRequest, type CommandType, type ExistenceRule } from './catalogue.js';

export interface SubmitCommand<T extends CommandType> {
  clinicId: string;
  type: T;
  /** METHOD and path, e.g. `POST /v1/purchases/…/refunds`: a key reused on another endpoint is refused. */
  endpoint: string;
  request: CommandRequest<T>;
  idempotencyKey: string | null;
  requestedByKeyId: string | null;
  channel: CommandChannel;
  correlationId?: string | null;
}

/** A command as the API answers with it (the resource's fields), from the stored row or the entity. */
export type StoredCommand = Pick<Command, 'id' | 'clinicId' | 'type' | 'status' | 'request' | 'result' | 'error' | 'attempts' | 'progress' | 'createdAt' | 'startedAt' | 'finishedAt'>;

export type SubmitResult =
  | { outcome: 'created'; command: StoredCommand }
  | { outcome: 'replayed'; command: StoredCommand }
  | { outcome: 'key_reused' }
  | { outcome: 'missing'; missing: string };

/** The first thing missing, named (e.g. 'Invoice'), or null when every rule finds its row. */
function firstMissing(rules: ExistenceRule[]): RawBuilder<string | null> {
  if (rules.length === 0) return sql<string | null>`null::text`;
  return sql<string | null>`case ${sql.join(rules.map((r) => sql`when not exists (${r.query}) then ${sql.lit(r.missing)}`), sql` `)} end`;
}

/** The new command's values, in the order its statement takes them. */
type CommandValues = [id: string, clinicId: string, type: CommandType, request: string, channel: CommandChannel, requestedByKeyId: string | null, correlationId: string | null];
/** The idempotency key's claim: key, endpoint, request hash. */
type Claim = [key: string, endpoint: string, hash: string];

/**
 * Stores a command and its idempotency key atomically, in one statement (one round trip): what
 * the command refers to (the catalogue's `requires` of its type) is checked, the key is claimed
 * with INSERT … ON CONFLICT DO NOTHING, and the command is inserted only if both went well. Of
 * concurrent submissions with one key, exactly one creates; the others wait for its
 * transaction and then find its command. The caller queues the job only after this returns:
 * Postgres is the record, Redis the wake-up call. The statement is a shape (shaped): compiled
 * once per command type, variant of its requirements and with or without a key.
 */
export async function submitCommand<T extends CommandType>(em: EntityManager, input: SubmitCommand<T>): Promise<SubmitResult> {
  const key = input.idempotencyKey;
  const hash = key === null ? null : requestHash(input.endpoint, input.request as Record<string, unknown>);
  const needs = COMMAND_CATALOGUE[input.type].requires(input.request);
  const values: CommandValues = [newId(), input.clinicId, input.type, json(input.request), input.channel, input.requestedByKeyId, input.correlationId ?? null];
  const [{ missing, ...row }] = key === null
    ? await runShaped(em, `command.submit:${input.type}:${needs.variant}`, [...values, ...needs.args], (...slots) =>
        submitQuery(slots.slice(0, 7) as CommandValues, null, needs.rules(slots[1], ...(slots.slice(7) as string[]))))
    : await runShaped(em, `command.submit.keyed:${input.type}:${needs.variant}`, [...values, key, input.endpoint, hash!, ...needs.args], (...slots) =>
        submitQuery(slots.slice(0, 7) as CommandValues, slots.slice(7, 10) as Claim, needs.rules(slots[1], ...(slots.slice(10) as string[]))));
  if (missing !== null) return { outcome: 'missing', missing };
  if (row.id !== null) return { outcome: 'created', command: commandOf(em, row) };
  const existing = await new IdempotencyStore(em).find(input.clinicId, key!);
  if (!existing || existing.commandId === null || existing.requestHash !== hash) return { outcome: 'key_reused' };
  const command = await em.findOneOrFail(Command, { id: existing.commandId, clinicId: input.clinicId });
  return { outcome: 'replayed', command };
}

function submitQuery([id, clinicId, type, request, channel, requestedByKeyId, correlationId]: CommandValues, claim: Claim | null, rules: ExistenceRule[]) {
  const nothingMissing = sql<boolean>`(select missing from found) is null`;
  return db
    .with('found', (qc) => qc.selectNoFrom(sql<string | null>`(${firstMissing(rules)})::text`.as('missing')))
    .with('claim', (qc) =>
      claim === null
        ? qc.selectNoFrom(sql<string>`null::uuid`.as('id')).where(nothingMissing)
        : qc.insertInto('idempotency_record')
            .columns(['id', 'clinic_id', 'key', 'endpoint', 'request_hash', 'command_id', 'state', 'created_at'])
            .expression(qc.selectNoFrom([
              sql<string>`gen_random_uuid()`.as('id'), typed(clinicId, 'uuid').as('clinic_id'), typed(claim[0], 'text').as('key'), typed(claim[1], 'text').as('endpoint'),
              typed(claim[2], 'text').as('request_hash'), typed(id, 'uuid').as('command_id'), sql<'done'>`'done'`.as('state'), sql<Date>`now()`.as('created_at'),
            ]).where(nothingMissing))
            .onConflict((oc) => oc.columns(['clinic_id', 'key']).doNothing())
            .returning('id'),
    )
    .with('created', (qc) =>
      qc.insertInto('command')
        .columns(['id', 'created_at', 'clinic_id', 'type', 'status', 'request', 'idempotency_key', 'channel', 'attempts', 'requested_by_key_id', 'correlation_id'])
        .expression(qc.selectNoFrom([
          typed(id, 'uuid').as('id'), sql<Date>`now()`.as('created_at'), typed(clinicId, 'uuid').as('clinic_id'), typed(type, 'text').as('type'),
          sql<'queued'>`'queued'`.as('status'), typed(request, 'jsonb').as('request'), typed(claim?.[0] ?? null, 'text').as('idempotency_key'),
          typed(channel, 'text').as('channel'), sql<number>`0`.as('attempts'), typed(requestedByKeyId, 'uuid').as('requested_by_key_id'),
          typed(correlationId, 'text').as('correlation_id'),
        ]).where(sql<boolean>`exists (select 1 from claim)`))
        .returning([...COMMAND_COLUMNS]),
    )
    .selectFrom('found')
    .leftJoin('created', (join) => join.on(sql<boolean>`true`))
    .select(['found.missing', ...qualified('created', COMMAND_COLUMNS)]);
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
export function commandResource(command: StoredCommand) {
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
