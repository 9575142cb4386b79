import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@app/billing';

/** Who is calling: set by the API-key guard on every authenticated request. */
export interface AuthContext {
  clinicId: string;
  keyId: string;
  role: Role;
}

export type AuthedRequest = import('express').Request & { auth?: AuthContext; correlationId?: string };

export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToHttp().getRequest<AuthedRequest>().auth;
  if (!auth) throw new Error('Auth() used on a route without an API key');
  return auth;
});
