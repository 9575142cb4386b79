import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsString, Matches, registerDecorator } from 'class-validator';
import { isRate, MAX_CLINIC_TAXES, TAX_CODE_PATTERN } from '@app/billing';

export const TAX_CODE_DOC = { pattern: TAX_CODE_PATTERN.source, example: 'HST' };

/** A tax code as the clinic names it: ^[A-Z][A-Z0-9]{0,9}$. */
export function TaxCodeField() {
  return applyDecorators(ApiProperty(TAX_CODE_DOC), IsString(), Matches(TAX_CODE_PATTERN, { message: '$property must match ^[A-Z][A-Z0-9]{0,9}$' }));
}

/** A percent written as a decimal string, at most 3 decimals, "0" to "50" (money.ts isRate). */
export function TaxRateField() {
  return applyDecorators(
    ApiProperty({ type: String, pattern: '^(0|[1-9][0-9]?)(\\.[0-9]{1,3})?$', example: '9.975', description: 'A percent from "0" to "50", at most 3 decimals' }),
    ((object: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isTaxRate',
        target: object.constructor,
        propertyName: String(propertyName),
        options: { message: `${String(propertyName)} must be a percent from "0" to "50" with at most 3 decimals, as a string` },
        validator: { validate: (value: unknown) => typeof value === 'string' && isRate(value) },
      })) as PropertyDecorator,
  );
}

/** The clinic's tax codes a service or plan is taxed by; [] (the default) is exempt. Checked against the clinic by the service. */
export function TaxCodesField(options: { optional?: boolean } = {}) {
  const doc = { type: String, isArray: true, maxItems: MAX_CLINIC_TAXES, uniqueItems: true, description: "The clinic's tax codes it is taxed by ([]: exempt; default [])", example: ['HST'] };
  return applyDecorators(
    options.optional !== false ? ApiPropertyOptional(doc) : ApiProperty(doc),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_CLINIC_TAXES),
    ArrayUnique(),
    IsString({ each: true }),
    Matches(TAX_CODE_PATTERN, { each: true, message: 'each value in $property must match ^[A-Z][A-Z0-9]{0,9}$' }),
  );
}
