import type { Request } from 'express';

/**
 * CSRF check for the session's own forms (sign-in, sign-out), on top of SameSite=Strict: the
 * browser must say the request comes from this very origin (Sec-Fetch-Site, Origin, or at
 * least Referer). A request that says nothing is refused.
 */
export function isSameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin') return false;
  const source = req.get('origin') ?? originOf(req.get('referer'));
  if (!source || source === 'null') return false;
  return source === `${req.protocol}://${req.host}`;
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
