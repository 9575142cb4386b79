import { ApiPropertyOptional } from '@nestjs/swagger';
import { COMMAND_STATUSES, COMMAND_TYPES, type CommandStatus, type CommandType } from '@app/billing';
import { IsIn, IsOptional } from 'class-validator';
import { ListQuery } from '../../common/pagination.js';

export class ListCommandsQuery extends ListQuery {
  @ApiPropertyOptional({ enum: COMMAND_TYPES })
  @IsOptional()
  @IsIn(COMMAND_TYPES)
  type?: CommandType;

  @ApiPropertyOptional({ enum: COMMAND_STATUSES })
  @IsOptional()
  @IsIn(COMMAND_STATUSES)
  status?: CommandStatus;
}
