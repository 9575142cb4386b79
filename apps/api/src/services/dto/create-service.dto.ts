import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { PriceField, TextField } from '../../common/fields/field.decorators.js';
import { TaxCodesField } from '../../common/fields/tax-fields.js';

export class CreateServiceDto {
  @TextField({ example: 'Massage, 60 min' })
  name: string;

  @PriceField('List price in minor units (cents)')
  price: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1440, example: 60 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  durationMinutes?: number;

  @TaxCodesField()
  taxCodes?: string[];
}
