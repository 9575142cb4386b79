import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { isProblemCode, problemFor, type ProblemCode } from '@app/billing';
import type { Request, Response } from 'express';
import { ProblemException } from './problem.exception.js';
import { SendResponse } from './send-response.js';

const STATUS_CODES: Record<number, ProblemCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Turns every error into `application/problem+json`; only unexpected ones are 500 and logged. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (exception instanceof SendResponse) {
      if (res.headersSent) return;
      res.status(exception.status).set(exception.headers);
      if (exception.status >= 400) res.type('application/problem+json');
      res.json(exception.body);
      return;
    }
    const body = this.toProblem(exception, req);
    if (body.status >= 500) this.logger.error({ err: exception, url: req.originalUrl }, 'Unhandled error');
    if (res.headersSent) return;
    if (body.retryAfter !== undefined) res.setHeader('Retry-After', String(body.retryAfter));
    delete body.retryAfter;
    res.status(body.status).type('application/problem+json').json(body);
  }

  toProblem(exception: unknown, req: Request): Record<string, unknown> & { status: number; retryAfter?: number } {
    if (exception instanceof ProblemException) return exception.getResponse() as never;
    // Nest wraps express's body-parser errors in a BadRequestException; the parser's error is its cause.
    const raw = exception instanceof HttpException && exception.cause ? exception.cause : exception;
    const parserError = raw as { type?: string; status?: number };
    // express's body parser: malformed JSON, a body too large, an unknown charset.
    if (parserError?.type === 'entity.parse.failed') return problemFor('malformed_json', 'The request body is not valid JSON') as never;
    if (parserError?.type === 'entity.too.large') return problemFor('payload_too_large') as never;
    if (parserError?.type === 'charset.unsupported' || parserError?.type === 'encoding.unsupported') {
      return problemFor('unsupported_media_type', 'Unsupported body encoding') as never;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const given = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
      const code = typeof given.code === 'string' && isProblemCode(given.code) ? given.code : STATUS_CODES[status];
      const detail = typeof given.message === 'string' ? given.message : exception.message;
      if (status === 404 && !given.code) return { ...problemFor('not_found', `No route ${req.method} ${req.path}`) };
      if (code) return { ...problemFor(code, detail), status, ...(status === 429 ? { retryAfter: Number(given.retryAfter ?? 1) } : {}) };
      return { type: 'about:blank', title: exception.message, status, detail, code: 'error' };
    }
    return { ...problemFor('internal_error', 'An unexpected error occurred; it has been logged') };
  }
}
