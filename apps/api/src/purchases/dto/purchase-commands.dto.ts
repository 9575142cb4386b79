import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CANCELLATION_EFFECTIVE, PAYMENT_METHODS } from '@app/billing';
import type { CancellationEffective, CancellationRequest, RefundRequest, TransferRequest } from '@app/billing';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';

export class CancellationDto implements Omit<CancellationRequest, 'purchaseId'> {
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
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

  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
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
