import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { BILLING_INTERVALS, type BillingInterval, type PlanKind } from '@app/billing';
import { MAX_PRICE, PriceField, TextField } from '../../common/fields/field.decorators.js';
import { OnlyFor, PLAN_KINDS } from './only-for-kind.decorator.js';
import { TaxCodesField } from '../../common/fields/tax-fields.js';

export const MAX_PLAN_ITEMS = 50;

export class PlanItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  serviceId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000, description: 'Package: visits in total; membership: visits per cycle' })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_PRICE, default: 0, description: 'What the patient still pays per redeemed visit (a co-pay, an upsize); a redemption covers the rest' })
  @ValidateIf((o: PlanItemDto) => o.patientPortion !== undefined)
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  patientPortion?: number;
}

export class InstallmentTermsDto {
  @ApiProperty({ type: 'integer', minimum: 2, maximum: 24 })
  @IsInt()
  @Min(2)
  @Max(24)
  count: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 366 })
  @IsInt()
  @Min(1)
  @Max(366)
  intervalDays: number;
}

export class CreatePlanDto {
  @ApiProperty({ enum: PLAN_KINDS })
  @IsIn(PLAN_KINDS)
  kind: PlanKind;

  @TextField({ example: '10 massages' })
  name: string;

  @PriceField('Package: the price of all its visits; membership: the fee per billing interval')
  price: number;

  @ApiProperty({ type: () => [PlanItemDto], minItems: 1, maxItems: MAX_PLAN_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => PlanItemDto)
  items: PlanItemDto[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 3650, nullable: true, description: 'Package only: days from startDate; null = never expires' })
  @OnlyFor('package')
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  validityDays?: number | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  insuranceFriendly?: boolean;

  @ApiPropertyOptional({ type: () => InstallmentTermsDto, nullable: true, description: 'Package only' })
  @OnlyFor('package')
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => InstallmentTermsDto)
  installments?: InstallmentTermsDto | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  onlineRedemption?: boolean;

  @ApiPropertyOptional({ enum: BILLING_INTERVALS, description: 'Membership only, required there' })
  // Required for a membership; anything given on a package is checked (and refused) too.
  @ValidateIf((o: CreatePlanDto) => o.kind === 'membership' || (o.billingInterval !== undefined && o.billingInterval !== null))
  @OnlyFor('membership')
  @IsIn(BILLING_INTERVALS, { message: 'billingInterval must be one of: week, month, year' })
  billingInterval?: BillingInterval | null;

  @ApiPropertyOptional({ default: false, description: 'Membership only: unused visits carry to the next cycle' })
  @OnlyFor('membership')
  @IsOptional()
  @IsBoolean()
  rollover?: boolean;

  @TaxCodesField()
  taxCodes?: string[];
}
