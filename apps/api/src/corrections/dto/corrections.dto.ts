import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_METHODS } from '@app/billing';
import type { AppointmentCancellationCommandRequest, InvoiceRefundCommandRequest, InvoiceVoidCommandRequest, ReversalCommandRequest } from '@app/billing';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class ReversalDto implements Omit<ReversalCommandRequest, 'redemptionId'> {
  @ApiProperty({ minLength: 1, maxLength: 500, description: "The history entry's note" })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class InvoiceVoidDto implements Omit<InvoiceVoidCommandRequest, 'invoiceId'> {
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class InvoiceRefundDto implements Omit<InvoiceRefundCommandRequest, 'invoiceId'> {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Without it, all that is refundable' })
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

export class AppointmentCancellationDto implements Omit<AppointmentCancellationCommandRequest, 'appointmentId' | 'bookingId'> {
  @ApiProperty({ minLength: 1, maxLength: 500 })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

export class BookingCancellationDto implements Omit<AppointmentCancellationCommandRequest, 'appointmentId' | 'bookingId'> {
  @ApiPropertyOptional({ minLength: 1, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason?: string;
}
