import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { PAYMENT_METHODS } from '@app/billing';
import { OptionalTextField } from '../../common/fields/field.decorators.js';

// Far above any invoice (prices ≤ 1e8 × quantity ≤ 1000), far below 2^53.
const MAX_PAYMENT = 1_000_000_000_000;

export class CreatePaymentDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Minor units; at most the balance due' })
  @IsInt()
  @Min(1)
  @Max(MAX_PAYMENT)
  amount: number;

  @ApiProperty({ enum: PAYMENT_METHODS, description: 'package_credit is recorded by redemptions only' })
  @IsIn(PAYMENT_METHODS)
  method: (typeof PAYMENT_METHODS)[number];

  @OptionalTextField({ max: 200, description: 'Card slip, cheque or transfer number' })
  reference?: string | null;
}

