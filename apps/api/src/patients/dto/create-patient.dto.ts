import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsCalendarDate, TextField } from '../../common/fields/field.decorators.js';

export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Digits with the usual separators, an optional leading + and extension. */
export const PHONE = /^\+?[0-9 ().\-/]*[0-9][0-9 ().\-/]*(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$/i;

export class CreatePatientDto {
  @TextField({ example: 'Ada' })
  firstName: string;

  @TextField({ example: 'Lovelace' })
  lastName: string;

  @ApiPropertyOptional({ type: String, format: 'email', maxLength: 254, nullable: true })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string | null;

  @ApiPropertyOptional({ type: String, maxLength: 40, nullable: true, example: '+1 416 555 0100' })
  @Transform(trim)
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(PHONE, { message: 'phone must be a phone number (digits, spaces, + ( ) . - /)' })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: 'YYYY-MM-DD, not in the future' })
  @IsOptional()
  @IsString()
  @IsCalendarDate()
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID('all')
  familyId?: string | null;
}
