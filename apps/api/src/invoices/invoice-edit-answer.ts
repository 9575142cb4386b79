import type { InvoiceEditOutcome } from '@app/billing';
import { notFound, ProblemException } from '../common/problem.exception.js';

/** An invoice edit's value, or its refusal as the problem the API answers. */
export function answer<T>(outcome: InvoiceEditOutcome<T>): T {
  if (outcome.ok) return outcome.value;
  if ('missing' in outcome) throw notFound(outcome.missing);
  throw new ProblemException(outcome.rejected, outcome.detail, outcome.extras);
}
