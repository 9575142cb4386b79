import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, registerDecorator, ValidateIf, type ValidationOptions } from 'class-validator';
import { isIsoDate } from '@app/billing';

// Shared by every resource folder; they belong in common/ (left here to stay out of shared code).

export const MAX_PRICE = 100_000_000;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * A display text: trimmed, 1..max characters, not blank. Required, or with `optional` may be
 * left out (PATCH) but never null.
 */
export function TextField(options: { max?: number; description?: string; example?: string; optional?: boolean } = {}) {
  const max = options.max ?? 200;
  const doc = { minLength: 1, maxLength: max, description: options.description, example: options.example };
  return applyDecorators(
    options.optional ? ApiPropertyOptional(doc) : ApiProperty(doc),
    ...(options.optional ? [ValidateIf((_: object, value: unknown) => value !== undefined)] : []),
    Transform(trim),
    IsString(),
    MinLength(1),
    MaxLength(max),
    Matches(/\S/, { message: '$property must not be blank' }),
  );
}

/**
 * A command's reason, kept as the history entry's note: a string of 1..500 characters, as sent
 * (not trimmed, unlike TextField). With `optional` it may be left out.
 */
export function ReasonField(options: { description?: string; optional?: boolean } = {}) {
  const doc = { minLength: 1, maxLength: 500, description: options.description };
  return applyDecorators(
    options.optional ? ApiPropertyOptional(doc) : ApiProperty(doc),
    ...(options.optional ? [IsOptional()] : []),
    IsString(),
    MinLength(1),
    MaxLength(500),
  );
}

/** An optional text that may be null to clear it (PATCH) or left out. */
export function OptionalTextField(options: { max?: number; description?: string; example?: string } = {}) {
  const max = options.max ?? 200;
  return applyDecorators(
    ApiPropertyOptional({ type: String, minLength: 1, maxLength: max, nullable: true, description: options.description, example: options.example }),
    Transform(trim),
    IsOptional(),
    IsString(),
    MinLength(1),
    MaxLength(max),
    Matches(/\S/, { message: '$property must not be blank' }),
  );
}

/** An amount of money in minor units: an integer from 0 to MAX_PRICE. */
export function PriceField(description = 'Minor units of the clinic currency (cents)') {
  return applyDecorators(ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_PRICE, description, example: 12000 }), IsInt(), Min(0), Max(MAX_PRICE));
}

/** A real calendar date written YYYY-MM-DD (no Feb 30). */
export function IsCalendarDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a calendar date (YYYY-MM-DD)`, ...options },
      validator: { validate: (value: unknown) => isIsoDate(value) },
    });
}
