import type { EntityManager } from '@mikro-orm/postgresql';
import { Command, FINAL_COMMAND_STATUSES, type CommandChannel, type CommandType } from '../entities/command.entity.js';
import { build, newId } from '../entities/base.js';
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
 * Stores a command and its idempotency key in one transaction. The caller queues the job
 * only after this commits: Postgres is the record, Redis the wake-up call.
 */
export async function submitCommand(em: EntityManager, input: SubmitCommand): Promise<SubmitResult> {
  return em.transactional(async (tx) => {
    const id = newId();
    if (input.idempotencyKey !== null) {
      const hash = requestHash(input.endpoint, input.request);
      const claim = await new IdempotencyStore(tx).claim(input.clinicId, input.idempotencyKey, input.endpoint, hash, id);
      if (!claim.claimed) {
        const { existing } = claim;
        if (existing.commandId === null || existing.requestHash !== hash) return { outcome: 'key_reused' };
        const command = await tx.findOneOrFail(Command, { id: existing.commandId, clinicId: input.clinicId });
        return { outcome: 'replayed', command };
      }
    }
    const command = build(Command, {
      id,
      clinicId: input.clinicId,
      type: input.type,
      status: 'queued',
      request: input.request,
      idempotencyKey: input.idempotencyKey,
      channel: input.channel,
      requestedByKeyId: input.requestedByKeyId,
      correlationId: input.correlationId ?? null,
    });
    await tx.persist(command).flush();
    return { outcome: 'created', command };
  });
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
