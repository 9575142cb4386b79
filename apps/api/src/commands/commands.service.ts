import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  Command,
  COMMANDS_QUEUE,
  CommandEnqueuer,
  commandResource,
  isFinal,
  submitCommand,
  toCommandResource,
  type CommandChannel,
  type CommandJobData,
  type CommandRequest,
  type CommandResource,
  type CommandType,
} from '@app/billing';
import type { Queue } from 'bullmq';
import type { Request } from 'express';
import type { AuthContext, AuthedRequest } from '../auth/auth-context.js';
import { endpointOf, readIdempotencyKey } from '../common/idempotency-key.js';
import { notFound, ProblemException } from '../common/problem.exception.js';
import { SendResponse } from '../common/send-response.js';
import { CommandEventsService } from './command-events.service.js';

const MAX_WAIT_SECONDS = 30;

/**
 * The API's half of the command pipeline: store the command (and its key) in Postgres, then
 * queue a job naming it, then answer 202, or the outcome when the client asked to wait.
 */
@Injectable()
export class CommandsService {
  private readonly logger = new Logger(CommandsService.name);
  /** The commands stored in one turn of the event loop are queued in one round trip. */
  private readonly enqueuer: CommandEnqueuer;

  constructor(
    private readonly em: EntityManager,
    @InjectQueue(COMMANDS_QUEUE) queue: Queue<CommandJobData>,
    private readonly events: CommandEventsService,
  ) {
    this.enqueuer = new CommandEnqueuer(queue);
  }

  /**
   * Never returns: answers through SendResponse so the status can be 200, 202 or a replay.
   * What the command refers to is checked where it is stored (the catalogue's `requires` of its
   * type: a 404 now rather than a rejected command later); `validate` checks what SQL cannot.
   */
  async submit<T extends CommandType>(
    req: AuthedRequest,
    auth: AuthContext,
    type: T,
    request: CommandRequest<T>,
    options: { channel?: CommandChannel; validate?: () => void } = {},
  ): Promise<never> {
    const key = readIdempotencyKey(req);
    if (key === undefined) throw new ProblemException('idempotency_key_required', 'Command endpoints require an Idempotency-Key header');
    options.validate?.();
    const channel = options.channel ?? 'staff';
    const submitted = await this.store(auth, type, endpointOf(req), request, key, channel, req.correlationId ?? null);
    const replayed = submitted.outcome === 'replayed';
    let command = submitted.command;
    const waitMs = preferWaitSeconds(req) * 1000;
    if (!replayed) {
      // Listen before queuing, so an outcome that comes at once is not missed.
      const outcome = waitMs > 0 ? this.events.waitFor(command.id, waitMs) : null;
      await this.enqueue(command.id);
      const event = outcome && (await outcome);
      // The event carries the finished command, unless it was too large for a notification.
      if (event) throw this.answer(event.command ? toCommandResource(event.command) : commandResource(await this.find(command.id, auth.clinicId)), false);
    } else if (waitMs > 0 && !isFinal(command)) {
      command = await this.waitForFinal(command.id, auth.clinicId, waitMs);
    }
    throw this.answer(commandResource(command), replayed);
  }

  /** Stores a command (also without an HTTP request around it: online booking's redemption). */
  async store<T extends CommandType>(
    auth: AuthContext,
    type: T,
    endpoint: string,
    request: CommandRequest<T>,
    key: string | null,
    channel: CommandChannel,
    correlationId: string | null,
  ) {
    const result = await submitCommand(this.em.fork(), {
      clinicId: auth.clinicId,
      type,
      endpoint,
      request,
      idempotencyKey: key,
      requestedByKeyId: auth.keyId,
      channel,
      correlationId,
    });
    if (result.outcome === 'missing') throw notFound(result.missing);
    if (result.outcome === 'key_reused') {
      throw new ProblemException('idempotency_key_reused', 'This Idempotency-Key was already used with another request');
    }
    return result;
  }

  /**
   * Queues the wake-up call (with the others of this turn of the event loop). If Redis is down
   * the command stays queued in Postgres and the sweeper re-queues it.
   */
  async enqueue(commandId: string): Promise<void> {
    try {
      await this.enqueuer.enqueue(commandId);
    } catch (error) {
      this.logger.warn(`Command ${commandId} stored but not queued (${(error as Error).message}); the sweeper will queue it`);
    }
  }

  answer(command: CommandResource, replayed: boolean): SendResponse {
    const headers: Record<string, string> = { Location: `/v1/commands/${command.id}` };
    if (replayed) headers['Idempotent-Replayed'] = 'true';
    return new SendResponse(isFinal(command) ? 200 : 202, command, headers);
  }

  /** Resolves when the command is final or the time is up, whichever comes first. */
  async waitForFinal(id: string, clinicId: string, timeoutMs: number): Promise<Command> {
    // Subscribe before reading, so an outcome committed in between is not missed.
    const done = this.events.waitFor(id, timeoutMs);
    const current = await this.find(id, clinicId);
    if (isFinal(current)) return current;
    await done;
    return this.find(id, clinicId);
  }

  async find(id: string, clinicId: string): Promise<Command> {
    const command = await this.em.fork().findOne(Command, { id, clinicId });
    if (!command) throw new ProblemException('not_found', 'Command not found');
    return command;
  }

  resource(command: Command): CommandResource {
    return commandResource(command);
  }
}

/** `Prefer: wait=N` (RFC 7240), N capped at 30 seconds. */
export function preferWaitSeconds(req: Request): number {
  const raw = req.headers.prefer;
  const header = Array.isArray(raw) ? raw.join(',') : raw;
  if (!header) return 0;
  const match = /(?:^|[;,\s])wait=(\d{1,6})(?:$|[;,\s])/i.exec(header);
  return match ? Math.min(Number(match[1]), MAX_WAIT_SECONDS) : 0;
}
