import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemException } from './problem.exception.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Marks a command endpoint: it stores its key with the command instead of a replayed answer. */
export const COMMAND_ENDPOINT = 'commandEndpoint';
export const CommandEndpoint = () => SetMetadata(COMMAND_ENDPOINT, true);

const PRINTABLE_ASCII = /^[\x20-\x7E]{1,255}$/;

/** The request's Idempotency-Key (1..255 printable ASCII), or undefined when absent. */
export function readIdempotencyKey(req: Request): string | undefined {
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!PRINTABLE_ASCII.test(value)) {
    throw new ProblemException('validation_failed', 'Idempotency-Key must be 1 to 255 printable ASCII characters', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }],
    });
  }
  return value;
}

/** `POST /v1/purchases/<id>/refunds`: what a key is bound to besides the body. */
export const endpointOf = (req: Request) => `${req.method} ${req.path}`;
