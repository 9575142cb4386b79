import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { MAX_CLINIC_TAXES, type RefundPolicy } from '@app/billing';
import { OptionalTextField, TextField } from '../../common/fields/field.decorators.js';
import { TaxCodeField, TaxRateField } from '../../common/fields/tax-fields.js';

export const REFUND_POLICIES: RefundPolicy[] = ['prorated', 'full_price'];

/** One of the clinic's taxes (api-v1.md "Taxes"). */
export class ClinicTaxDto {
  @TaxCodeField()
  code: string;

  @TextField({ max: 50, example: 'HST' })
  name: string;

  @TaxRateField()
  rate: string;
}

/** The settings a clinic may choose; both optional (defaults: prorated, 0 days). */
export class ClinicSettingsDto {
  @ApiPropertyOptional({ enum: REFUND_POLICIES, description: 'How the value already used is counted in a refund' })
  @IsOptional()
  @IsIn(REFUND_POLICIES)
  refundPolicy?: RefundPolicy;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 365, description: 'Days an earlier membership invoice may stay unpaid before redemptions stop' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  membershipGraceDays?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 168, description: 'Hours before an appointment after which the online role can no longer cancel it (default 24)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(168)
  onlineCancellationHours?: number;

  @ApiPropertyOptional({ type: () => [ClinicTaxDto], maxItems: MAX_CLINIC_TAXES, description: 'The whole list (replaces the earlier one); a code a service or plan uses cannot be removed (409 tax_code_in_use)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CLINIC_TAXES)
  @ArrayUnique((t: ClinicTaxDto) => t?.code, { message: 'taxes must have unique codes' })
  @ValidateNested({ each: true })
  @Type(() => ClinicTaxDto)
  taxes?: ClinicTaxDto[];

  @OptionalTextField({ max: 50, description: 'Printed on documents; null clears it', example: '123456789 RT0001' })
  taxNumber?: string | null;
}
