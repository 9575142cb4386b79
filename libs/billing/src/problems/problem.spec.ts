import { BILLING_ERROR_CODES, type BillingErrorCode } from '../domain/errors.js';
import { PROBLEM_CODES, PROBLEMS, problemFor, type HttpOnlyCode, type Problem, type ProblemCode } from './problem.js';

describe('problem mapping', () => {
  it('maps every domain code, and each code once', () => {
    for (const code of BILLING_ERROR_CODES) expect(PROBLEMS[code]).toEqual({ status: expect.any(Number), title: expect.any(String) });
    expect(new Set(PROBLEM_CODES).size).toBe(PROBLEM_CODES.length);
    for (const code of PROBLEM_CODES) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('domain refusals are 4xx; the API keeps its own codes apart', () => {
    for (const code of BILLING_ERROR_CODES) expect(PROBLEMS[code].status).toBeGreaterThanOrEqual(400);
    for (const code of BILLING_ERROR_CODES) expect(PROBLEMS[code].status).toBeLessThan(500);
    const httpOnly: HttpOnlyCode[] = ['unauthorized', 'forbidden', 'not_found', 'validation_failed', 'rate_limited', 'internal_error'];
    for (const code of httpOnly) expect((BILLING_ERROR_CODES as readonly string[]).includes(code)).toBe(false);
  });

  it('a problem names its code, type and status', () => {
    expect(problemFor('overpayment', 'too much')).toEqual({ type: '/problems/overpayment', title: PROBLEMS.overpayment.title, status: 422, detail: 'too much', code: 'overpayment' });
  });

  it('the union is the type of the map: a code without a problem does not compile', () => {
    // Type-level only: these lines fail `npm run typecheck` if the map and the union drift apart.
    const every: Record<ProblemCode, Problem> = PROBLEMS;
    // @ts-expect-error: a map missing a domain code is not a problem map
    const missing: Record<BillingErrorCode, Problem> = { overpayment: PROBLEMS.overpayment };
    expect(Object.keys(every)).toEqual(PROBLEM_CODES);
    expect(missing).toBeDefined();
  });
});
