import { normalizeIp } from '@nestjs/throttler';
import type { Request } from 'express';

/**
 * Who is calling, for per-address limits: the client's IP as Express sees it (through the trusted
 * proxies), an IPv6 address by its /64 (one machine usually holds a whole /64).
 */
export function clientAddress(req: Pick<Request, 'ip' | 'socket'>): string {
  return normalizeIp(req.ip ?? req.socket?.remoteAddress ?? '') || 'unknown';
}
