import type { RedemptionRequest } from '@app/billing';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class CreateRedemptionDto implements RedemptionRequest {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  invoiceId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  lineId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Without it, the best eligible purchase is chosen' })
  @IsOptional()
  @IsUUID('all')
  purchaseId?: string;
}
