import { ProblemException } from '../../common/problem.exception.js';
import type { FieldError } from '../../common/validation.js';

/** A 400 validation_failed for rules a DTO cannot check alone (database lookups, the clinic's time zone). */
export function invalidFields(errors: FieldError[]): ProblemException {
  return new ProblemException('validation_failed', errors.map((e) => e.message).join('; '), { errors });
}

export const invalidField = (field: string, message: string) => invalidFields([{ field, message }]);
