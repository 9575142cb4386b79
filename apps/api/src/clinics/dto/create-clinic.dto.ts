import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, registerDecorator, ValidateNested } from 'class-validator';
import { isValidTimeZone } from '@app/billing';
import { TextField } from '../../common/fields/field.decorators.js';
import { ClinicSettingsDto } from './clinic-settings.dto.js';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

function check(name: string, message: string, validate: (value: unknown) => boolean) {
  return (object: object, propertyName: string) =>
    registerDecorator({ name, target: object.constructor, propertyName, options: { message }, validator: { validate } });
}

/** ISO 4217, upper case, known to this runtime's Intl data. */
const IsCurrency = () => check('isCurrency', 'currency must be an ISO 4217 code such as CAD', (v) => typeof v === 'string' && /^[A-Z]{3}$/.test(v) && CURRENCIES.has(v));

/** An IANA zone name; Intl also takes fixed offsets such as +01:00, which are not zones. */
const IsIanaTimeZone = () =>
  check('isIanaTimeZone', 'timezone must be an IANA time zone such as America/Toronto', (v) => typeof v === 'string' && /^[A-Za-z]/.test(v) && isValidTimeZone(v));

export class CreateClinicDto {
  @TextField({ example: 'Harbour Physio' })
  name: string;

  @ApiProperty({ example: 'CAD', description: 'ISO 4217 currency code' })
  @IsString()
  @IsCurrency()
  currency: string;

  @ApiProperty({ example: 'America/Toronto', description: 'IANA time zone: calendar dates are in it' })
  @IsString()
  @IsIanaTimeZone()
  timezone: string;

  @ApiPropertyOptional({ type: () => ClinicSettingsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ClinicSettingsDto)
  settings?: ClinicSettingsDto;
}
