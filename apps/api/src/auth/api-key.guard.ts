import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppConfig, safeEqual, type Role } from '@app/billing';
import { ApiKeyCache } from './api-key-cache.service.js';
import { ProblemException } from '../common/problem.exception.js';
import { AuthFailureLimiter } from '../limits/auth-failure-limiter.js';
import { clientAddress } from '../limits/client-address.js';
import { ACCESS_KEY, ROLES_KEY } from './roles.decorator.js';
import type { AuthedRequest } from './auth-context.js';

/**
 * Bearer API keys (or the ADMIN_TOKEN), then the route's role rule. An address with too many
 * failed authentications is refused before any of that (AuthFailureLimiter).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyCache,
    private readonly failures: AuthFailureLimiter,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const access = this.reflector.getAllAndOverride<string | undefined>(ACCESS_KEY, targets);
    if (access === 'public') return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const address = clientAddress(req);
    await this.failures.assertAllowed(address);
    const token = bearerToken(req);
    // Credentials sent and refused count as a failure; none at all is not a guess.
    const refuse = async (detail: string) => {
      if (req.headers.authorization !== undefined) await this.failures.recordFailure(address);
      return new ProblemException('unauthorized', detail);
    };
    if (access === 'admin') {
      if (token && safeEqual(token, this.config.ADMIN_TOKEN)) return true;
      throw await refuse('This endpoint needs the ADMIN_TOKEN');
    }
    if (!token) throw await refuse('Send Authorization: Bearer <api key>');
    const key = await this.keys.find(token);
    if (!key) throw await refuse('Unknown or revoked API key');
    req.auth = { clinicId: key.clinicId, keyId: key.id, role: key.role };
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles?.includes(key.role)) throw new ProblemException('forbidden', `The ${key.role} role may not do this`);
    return true;
  }
}

export function bearerToken(req: AuthedRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
    return match?.[1];
  }
  return undefined;
}
