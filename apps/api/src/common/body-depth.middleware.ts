import { problemFor } from '@app/billing';
import type { NextFunction, Request, Response } from 'express';

/** Deeper than any request of api-v1.md needs, far shallower than what overflows a stack. */
export const MAX_BODY_DEPTH = 32;

/** How deep a parsed JSON value nests, counted without recursion (a hostile body may nest thousands deep). */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(item as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Refuses bodies nested past MAX_BODY_DEPTH with a 400 problem, before validation recurses into them. */
export function bodyDepthGuard() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (jsonDepth(req.body, MAX_BODY_DEPTH) <= MAX_BODY_DEPTH) return next();
    const message = `The body nests deeper than ${MAX_BODY_DEPTH} levels`;
    res.status(400).type('application/problem+json').json({ ...problemFor('validation_failed', message), errors: [{ field: '', message }] });
  };
}
