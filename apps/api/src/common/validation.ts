import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemException } from './problem.exception.js';

export interface FieldError {
  field: string;
  message: string;
}

/** Flattens class-validator's tree into `items[0].quantity`-style paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const isIndex = /^\d+$/.test(error.property);
    const field = parent ? (isIndex ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: error.constraints?.whitelistValidation === message ? `${field} is not an accepted field` : message,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** Strict validation: unknown fields rejected, no implicit conversion of body values. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validateCustomDecorators: false,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const list = flattenValidationErrors(errors);
      return new ProblemException('validation_failed', list.map((e) => e.message).join('; ') || 'Invalid request', { errors: list });
    },
  });
}
