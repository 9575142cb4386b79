import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@app/billing';
import { STAFF } from '../../auth/roles.decorator.js';
import { ProblemException } from '../../common/problem.exception.js';
import { DashboardSessionService, type DashboardSession, type SessionRequest } from './dashboard-session.service.js';

export const DASHBOARD_ROLES_KEY = 'dashboardRoles';

/** Who may open a session-protected route (default: the staff roles). */
export const DashboardRoles = (...roles: Role[]) => SetMetadata(DASHBOARD_ROLES_KEY, roles);

/**
 * Protects browser routes with the dashboard's cookie session. Mark the route `@Public()` too:
 * the global API-key guard wants a Bearer key otherwise.
 *
 *   @Public() @UseGuards(DashboardSessionGuard) @DashboardRoles('owner')
 */
@Injectable()
export class DashboardSessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: DashboardSessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SessionRequest>();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(DASHBOARD_ROLES_KEY, [context.getHandler(), context.getClass()]) ?? STAFF;
    const session = await this.sessions.read(req);
    if (!session) throw new ProblemException('unauthorized', 'Sign in to the dashboard first');
    if (!roles.includes(session.role)) throw new ProblemException('forbidden', `The ${session.role} role may not open this page`);
    req.dashboardSession = session;
    return true;
  }
}

/** The session DashboardSessionGuard checked for this request. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): DashboardSession => {
  const session = ctx.switchToHttp().getRequest<SessionRequest>().dashboardSession;
  if (!session) throw new Error('CurrentSession() used on a route without DashboardSessionGuard');
  return session;
});
