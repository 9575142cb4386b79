import type { Formatter } from './format.js';

/** What every view needs to write its forms: the formatter, the session's CSRF token and role, the page's address. */
export interface ViewContext {
  fmt: Formatter;
  csrf: string;
  role: string;
  /** This page's path and query, where an action returns. */
  back: string;
  /** The currency's minor digits, for amounts typed in forms. */
  digits: number;
}

export const canRetry = (role: string) => role === 'owner' || role === 'billing';
