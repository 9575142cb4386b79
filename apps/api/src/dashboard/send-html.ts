import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { SafeHtml } from './views/html.js';

/** A fresh nonce for the page's embedded stylesheet and script. */
export const newNonce = () => randomBytes(16).toString('base64');

/**
 * Sends a page or fragment with the headers every dashboard response carries: nothing inline
 * runs but the page's own nonce-tagged script, nothing is cached, the page is never framed.
 */
export function sendHtml(res: Response, status: number, body: SafeHtml, nonce: string = newNonce()): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        "connect-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
    })
    .send(body.value);
}
