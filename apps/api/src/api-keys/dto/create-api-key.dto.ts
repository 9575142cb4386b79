import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ROLES, type Role } from '@app/billing';
import { TextField } from '../../common/fields/field.decorators.js';

export class CreateApiKeyDto {
  @TextField({ example: 'Front desk tablet' })
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}
