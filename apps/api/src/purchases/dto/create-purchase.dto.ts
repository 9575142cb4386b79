import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { PAYMENT_SCHEDULES, type PaymentSchedule } from '@app/billing';

export class CreatePurchaseDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  planId: string;

  @ApiPropertyOptional({ format: 'date', example: '2026-11-24', description: "Defaults to today in the clinic's time zone; from 5 years before to 1 year after today" })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'startDate must be a date YYYY-MM-DD' })
  startDate?: string;

  @ApiPropertyOptional({ enum: PAYMENT_SCHEDULES, default: 'full' })
  @IsOptional()
  @IsIn(PAYMENT_SCHEDULES)
  paymentSchedule?: PaymentSchedule;
}
