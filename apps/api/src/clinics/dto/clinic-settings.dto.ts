import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { RefundPolicy } from '@app/billing';

export const REFUND_POLICIES: RefundPolicy[] = ['prorated', 'full_price'];

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
}
