import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsCalendarDate, TextField } from '../../clinics/shared/field.decorators.js';
import { PHONE, trim } from './create-patient.dto.js';

/** Every field optional; email, phone, dateOfBirth and familyId may be null to clear them (null familyId leaves the family). */
export class UpdatePatientDto {
  @TextField({ optional: true })
  firstName?: string;

  @TextField({ optional: true })
  lastName?: string;

  @ApiPropertyOptional({ format: 'email', maxLength: 254, nullable: true })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ maxLength: 40, nullable: true })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(PHONE, { message: 'phone must be a phone number (digits, spaces, + ( ) . - /)' })
  phone?: string | null;

  @ApiPropertyOptional({ format: 'date', nullable: true, description: 'YYYY-MM-DD, not in the future' })
  @IsOptional()
  @IsString()
  @IsCalendarDate()
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'null leaves the family' })
  @IsOptional()
  @IsUUID('all')
  familyId?: string | null;
}
