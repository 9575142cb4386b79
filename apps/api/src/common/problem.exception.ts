import { HttpException } from '@nestjs/common';
import { PROBLEMS, problemFor, type ProblemCode } from '@app/billing';

/** An error answered as an RFC 9457 problem with a stable `code`. */
export class ProblemException extends HttpException {
  constructor(
    readonly code: ProblemCode,
    detail?: string,
    readonly extras: Record<string, unknown> = {},
  ) {
    super({ ...problemFor(code, detail), ...extras }, PROBLEMS[code].status);
  }
}

export const notFound = (what: string) => new ProblemException('not_found', `${what} not found`);
