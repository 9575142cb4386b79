import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { IdempotencyStore, requestHash } from '@app/billing';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import type { AuthedRequest } from '../auth/auth-context.js';
import { COMMAND_ENDPOINT, endpointOf, readIdempotencyKey } from './idempotency-key.js';
import { ProblemException } from './problem.exception.js';
import { ProblemFilter } from './problem.filter.js';
import { SendResponse } from './send-response.js';

/** A claim older than this whose request never answered (a crashed process) may be taken over. */
const STALE_CLAIM_SECONDS = 60;

/**
 * Idempotency-Key for the POSTs that are not commands: the first answer (2xx or 4xx) is stored
 * and replayed; a key still being answered gives 409; a key used for another request, 422.
 * Commands bind their key to the command instead (CommandsService).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly em: EntityManager,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (req.method !== 'POST' || this.reflector.get(COMMAND_ENDPOINT, context.getHandler())) return next.handle();
    const key = readIdempotencyKey(req);
    // The platform operator's calls have no clinic to scope a key to.
    if (key === undefined || !req.auth) return next.handle();

    const { clinicId } = req.auth;
    const endpoint = endpointOf(req);
    const hash = requestHash(endpoint, req.body);
    const store = new IdempotencyStore(this.em.fork());
    let claim = await store.claim(clinicId, key, endpoint, hash);
    if (!claim.claimed) {
      const { existing } = claim;
      if (existing.endpoint !== endpoint || existing.requestHash !== hash || existing.commandId !== null) {
        throw new ProblemException('idempotency_key_reused', 'This Idempotency-Key was already used with another request');
      }
      // The same request, whose first try died before answering: this one takes over.
      if (existing.state === 'in_progress' && (await store.reclaimStale(clinicId, key, STALE_CLAIM_SECONDS))) claim = { claimed: true };
    }
    if (!claim.claimed) {
      const { existing } = claim;
      if (existing.state === 'in_progress') throw new ProblemException('idempotency_key_in_progress');
      throw new SendResponse(existing.statusCode ?? 200, existing.responseBody, { 'Idempotent-Replayed': 'true' });
    }

    const defaultStatus: number = this.reflector.get(HTTP_CODE_METADATA, context.getHandler()) ?? 201;
    return next.handle().pipe(
      mergeMap((body) =>
        from(
          (async () => {
            await store.complete(clinicId, key, defaultStatus, withoutSecrets(body));
            return body;
          })(),
        ),
      ),
      catchError((error: unknown) =>
        from(
          (async () => {
            if (error instanceof SendResponse && error.status < 500) {
              await store.complete(clinicId, key, error.status, withoutSecrets(error.body));
            } else if (error instanceof HttpException && error.getStatus() < 500) {
              // Stored as the problem the client got, so a replay answers the same body.
              await store.complete(clinicId, key, error.getStatus(), new ProblemFilter().toProblem(error, req));
            } else {
              await store.release(clinicId, key);
            }
            throw error;
          })(),
        ),
      ),
    );
  }
}

/**
 * API keys are shown once and stored only as hashes, so a stored answer never keeps one: a replay
 * of POST /v1/api-keys says the same thing as the first answer, less the key itself.
 */
export function withoutSecrets(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const { key: _key, ownerKey: _ownerKey, ...rest } = body as Record<string, unknown>;
  return rest;
}
