import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ListQuery } from '../../common/pagination.js';

export class ListPatientsQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Case-insensitive part of first name, last name, "first last", email or phone' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;
}
