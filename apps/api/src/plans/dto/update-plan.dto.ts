import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsUUID, ValidateIf, ValidateNested } from 'class-validator';
import { PriceField } from '../../common/fields/field.decorators.js';
import { MAX_PLAN_ITEMS } from './create-plan.dto.js';
import { TaxCodesField } from '../../common/fields/tax-fields.js';

/** A new patient portion for one of the plan's items: later sales take it, sold purchases keep theirs. */
export class PlanItemPortionDto {
  @ApiProperty({ format: 'uuid', description: 'The service of one of the plan’s items' })
  @IsUUID('all')
  serviceId: string;

  @PriceField('What the patient still pays per redeemed visit')
  patientPortion: number;
}

export class UpdatePlanDto {
  @ApiPropertyOptional({ description: 'false archives the plan: it cannot be sold, sold ones keep working' })
  // Required unless items are given: an empty PATCH changes nothing and is refused.
  @ValidateIf((o: UpdatePlanDto) => o.active !== undefined || (o.items === undefined && o.taxCodes === undefined))
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: () => [PlanItemPortionDto], maxItems: MAX_PLAN_ITEMS, description: 'Patient portions of existing items' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PLAN_ITEMS)
  @ValidateNested({ each: true })
  @Type(() => PlanItemPortionDto)
  items?: PlanItemPortionDto[];

  @TaxCodesField()
  taxCodes?: string[];
}
