import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_METHODS } from '@app/billing';
import type { AppointmentCancellationCommandRequest, InvoiceRefundCommandRequest, InvoiceVoidCommandRequest, ReversalCommandRequest } from '@app/billing';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ReasonField } from '../../common/fields/field.decorators.js';

export class ReversalDto implements Omit<ReversalCommandRequest, 'redemptionId'> {
  @ReasonField({ description: "The history entry's note" })
  reason: string;
}

export class InvoiceVoidDto implements Omit<InvoiceVoidCommandRequest, 'invoiceId'> {
  @ReasonField()
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

  @ReasonField()
  reason: string;
}

export class AppointmentCancellationDto implements Omit<AppointmentCancellationCommandRequest, 'appointmentId' | 'bookingId'> {
  @ReasonField()
  reason: string;
}

export class BookingCancellationDto implements Omit<AppointmentCancellationCommandRequest, 'appointmentId' | 'bookingId'> {
  @ReasonField({ optional: true })
  reason?: string;
}
