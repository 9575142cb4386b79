import { SetMetadata } from '@nestjs/common';
import type { Role } from '@app/billing';

export const ROLES_KEY = 'roles';
export const ACCESS_KEY = 'access';

/** Who may call a route. Every route says so: a route with no rule is refused (fail closed). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** No key needed (health, metrics, docs, the dashboard's sign-in page). */
export const Public = () => SetMetadata(ACCESS_KEY, 'public');
/** The platform operator's ADMIN_TOKEN, not an API key. */
export const AdminToken = () => SetMetadata(ACCESS_KEY, 'admin');

// Roles by what they may do (api-v1.md "Roles"); each includes the ones above it.
export const OWNER: Role[] = ['owner'];
export const BACK_OFFICE: Role[] = ['owner', 'billing'];
export const STAFF: Role[] = ['owner', 'billing', 'front_desk'];
export const ANY_ROLE: Role[] = ['owner', 'billing', 'front_desk', 'online'];
