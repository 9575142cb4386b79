import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ListQuery } from '../../common/pagination.js';

export class ListPurchasesQuery extends ListQuery {
  @ApiPropertyOptional({ enum: ['active', 'exhausted', 'expired', 'cancelled'] })
  @IsOptional()
  @IsIn(['active', 'exhausted', 'expired', 'cancelled'])
  status?: 'active' | 'exhausted' | 'expired' | 'cancelled';
}
