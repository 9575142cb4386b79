import { ApiProperty } from '@nestjs/swagger';
import { AGEING_BUCKETS } from '@app/billing';

// Money: integers of minor units, before tax (revenue's payments and refunds: taxes included).

export class LiabilityTotalsResponse {
  @ApiProperty({ type: 'integer' }) purchases: number;
  @ApiProperty({ type: 'integer', description: 'Money received, before tax' }) paid: number;
  @ApiProperty({ type: 'integer', description: 'Money returned, before tax' }) refunded: number;
  @ApiProperty({ type: 'integer', description: 'Visits used or transferred out × their value; a membership: what it kept' }) recognized: number;
  @ApiProperty({ type: 'integer', description: 'What a cancelled or expired package kept beyond its used visits (may be negative)' }) forfeited: number;
  @ApiProperty({ type: 'integer', description: 'The liability: paid for, not yet given' }) outstanding: number;
  @ApiProperty({ type: 'integer', description: 'Visits left on packages neither cancelled nor expired' }) unusedVisits: number;
}

export class LiabilityPlanResponse extends LiabilityTotalsResponse {
  @ApiProperty({ format: 'uuid' }) planId: string;
  @ApiProperty() planName: string;
  @ApiProperty({ enum: ['package', 'membership'] }) kind: string;
}

export class LiabilityReportResponse {
  @ApiProperty({ format: 'date' }) asOf: string;
  @ApiProperty({ type: LiabilityTotalsResponse }) totals: LiabilityTotalsResponse;
  @ApiProperty({ type: [LiabilityPlanResponse] }) plans: LiabilityPlanResponse[];
}

export class AgeingBucketResponse {
  @ApiProperty({ enum: ['service', 'package', 'installment', 'membership'] }) kind: string;
  @ApiProperty({ enum: AGEING_BUCKETS, description: 'Days past the due date: current is 0 or less' }) bucket: string;
  @ApiProperty({ type: 'integer' }) invoices: number;
  @ApiProperty({ type: 'integer', description: 'Before tax' }) balanceDue: number;
}

export class AgeingReportResponse {
  @ApiProperty({ format: 'date' }) asOf: string;
  @ApiProperty({ type: [AgeingBucketResponse] }) buckets: AgeingBucketResponse[];
}

export class RevenueDayResponse {
  @ApiProperty({ format: 'date' }) date: string;
  @ApiProperty({ type: 'integer', description: 'Money received, taxes included' }) payments: number;
  @ApiProperty({ type: 'integer', description: 'Money returned, taxes included (positive)' }) refunds: number;
  @ApiProperty({ type: 'integer', description: 'What became recognized or forfeited that day, before tax' }) recognized: number;
  @ApiProperty({ type: 'integer', description: 'Visits redeemed' }) redemptions: number;
}

export class RevenueReportResponse {
  @ApiProperty({ format: 'date' }) from: string;
  @ApiProperty({ format: 'date' }) to: string;
  @ApiProperty({ type: [RevenueDayResponse] }) days: RevenueDayResponse[];
}
