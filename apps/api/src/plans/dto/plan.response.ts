import { ApiProperty } from '@nestjs/swagger';
import { BILLING_INTERVALS, type BillingInterval, type Plan, type PlanKind } from '@app/billing';
import { InstallmentTermsDto } from './create-plan.dto.js';
import { PLAN_KINDS } from './only-for-kind.decorator.js';

export class PlanItemResponse {
  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @ApiProperty()
  serviceName: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'What the patient still pays per redeemed visit' })
  patientPortion: number;
}

export class PlanResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: PLAN_KINDS })
  kind: PlanKind;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: 'integer' })
  price: number;

  @ApiProperty({ type: () => [PlanItemResponse] })
  items: PlanItemResponse[];

  @ApiProperty({ type: 'integer', nullable: true })
  validityDays: number | null;

  @ApiProperty()
  insuranceFriendly: boolean;

  @ApiProperty({ type: () => InstallmentTermsDto, nullable: true })
  installments: { count: number; intervalDays: number } | null;

  @ApiProperty()
  onlineRedemption: boolean;

  @ApiProperty({ enum: BILLING_INTERVALS, nullable: true })
  billingInterval: BillingInterval | null;

  @ApiProperty()
  rollover: boolean;

  @ApiProperty()
  active: boolean;

  @ApiProperty({ type: String, isArray: true, description: "The clinic's tax codes its invoices are taxed by, on the price ([]: exempt)" })
  taxCodes: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class PlanPage {
  @ApiProperty({ type: () => [PlanResponse] })
  data: PlanResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toPlanResponse(plan: Plan, items: PlanItemResponse[]): PlanResponse {
  return {
    id: plan.id,
    kind: plan.kind,
    name: plan.name,
    price: plan.price,
    items,
    validityDays: plan.validityDays,
    insuranceFriendly: plan.insuranceFriendly,
    installments: plan.installments ? { count: plan.installments.count, intervalDays: plan.installments.intervalDays } : null,
    onlineRedemption: plan.onlineRedemption,
    billingInterval: plan.billingInterval,
    rollover: plan.rollover,
    active: plan.active,
    taxCodes: plan.taxCodes ?? [],
    createdAt: plan.createdAt.toISOString(),
  };
}
