import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthedRequest } from '../auth/auth-context.js';
import { ProblemException } from '../common/problem.exception.js';

/**
 * Per-key rate limit: a request with an API key counts against that key (the API-key guard runs
 * first and sets req.auth), one without against the client's IP. Over the limit: a 429
 * `rate_limited` problem with Retry-After.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const { auth, ip } = req as unknown as AuthedRequest;
    return auth ? `key:${auth.keyId}` : `ip:${ip ?? 'unknown'}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new ProblemException('rate_limited', `More than ${detail.limit} requests in ${Math.round(detail.ttl / 1000)} s; retry in ${retryAfter} s`, { retryAfter });
  }
}
