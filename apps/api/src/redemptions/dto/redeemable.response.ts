import { ApiProperty } from '@nestjs/swagger';
import { PURCHASE_KINDS } from '@app/billing';

export class RedeemableOptionResponse {
  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty()
  planName: string;

  @ApiProperty({ enum: PURCHASE_KINDS })
  kind: string;

  @ApiProperty({ type: 'integer' })
  remaining: number;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  expiresOn: string | null;
}

export class RedeemableLineResponse {
  @ApiProperty({ format: 'uuid' })
  lineId: string;

  @ApiProperty({ type: () => [RedeemableOptionResponse], description: 'Empty: no Redeem button for this line' })
  options: RedeemableOptionResponse[];
}

/** GET /v1/invoices/:id/redeemable: which active purchases can cover which line. */
export class RedeemableResponse {
  @ApiProperty({ type: () => [RedeemableLineResponse] })
  lines: RedeemableLineResponse[];
}
