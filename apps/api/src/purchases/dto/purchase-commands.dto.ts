import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CANCELLATION_EFFECTIVE, MAX_PAUSE_CYCLES, MIN_PAUSE_CYCLES, PAYMENT_METHODS } from '@app/billing';
import type { CancellationEffective, CancellationRequest, ExtensionCommandRequest, PauseCommandRequest, RefundRequest, ResumeCommandRequest, TransferRequest } from '@app/billing';
import { IsCalendarDate, ReasonField, TextField } from '../../common/fields/field.decorators.js';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export class CancellationDto implements Omit<CancellationRequest, 'purchaseId'> {
  @ReasonField()
  reason: string;

  @ApiPropertyOptional({ enum: CANCELLATION_EFFECTIVE, description: 'Memberships only (default end_of_cycle); a package is cancelled now' })
  @IsOptional()
  @IsIn(CANCELLATION_EFFECTIVE)
  effective?: CancellationEffective;
}

export class RefundDto implements Omit<RefundRequest, 'purchaseId'> {
  @ApiPropertyOptional({ minimum: 1, description: 'Without it, the amount the refund policy gives' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  amount?: number;

  @ApiProperty({ enum: PAYMENT_METHODS })
  @IsIn(PAYMENT_METHODS)
  method: (typeof PAYMENT_METHODS)[number];

  @ReasonField()
  reason: string;
}

export class TransferDto implements Omit<TransferRequest, 'purchaseId'> {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  toPatientId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  serviceId: string;

  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity: number;
}

const REASON = { max: 500, description: "Why: the history entry's note" };

export class ExtensionDto implements Omit<ExtensionCommandRequest, 'purchaseId'> {
  @ApiProperty({ format: 'date', description: "The new expiry (clinic time zone), after the current one" })
  @IsCalendarDate()
  expiresOn: string;

  @TextField(REASON)
  reason: string;
}

export class PauseDto implements Omit<PauseCommandRequest, 'purchaseId'> {
  @ApiProperty({ type: 'integer', minimum: MIN_PAUSE_CYCLES, maximum: MAX_PAUSE_CYCLES, description: 'How many cycles after the current one are paused' })
  @IsInt()
  @Min(MIN_PAUSE_CYCLES)
  @Max(MAX_PAUSE_CYCLES)
  cycles: number;

  @TextField(REASON)
  reason: string;
}

export class ResumeDto implements Omit<ResumeCommandRequest, 'purchaseId'> {
  @TextField(REASON)
  reason: string;
}
