import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class UpdatePlanDto {
  @ApiProperty({ description: 'false archives the plan: it cannot be sold, sold ones keep working' })
  @IsBoolean()
  active: boolean;
}
