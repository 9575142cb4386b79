import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PURCHASE_STATUSES } from '@app/billing';
import { ListQuery } from '../../common/pagination.js';

export class ListPurchasesQuery extends ListQuery {
  @ApiPropertyOptional({ enum: PURCHASE_STATUSES })
  @IsOptional()
  @IsIn(PURCHASE_STATUSES)
  status?: 'active' | 'exhausted' | 'expired' | 'cancelled';
}
