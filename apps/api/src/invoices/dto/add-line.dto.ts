import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

export const MAX_LINE_QUANTITY = 1000;

export class AddLineDto {
  @ApiProperty({ format: 'uuid', description: 'Billed at its list price' })
  @IsUUID('all')
  serviceId: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity?: number;
}
