import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, registerDecorator } from 'class-validator';

// An instant: date, time and an explicit offset (Z or ±hh:mm), so it never depends on the server's zone.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isInstant(value: unknown): boolean {
  if (typeof value !== 'string' || !INSTANT.test(value)) return false;
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  // Date.parse rolls Feb 30 over to March: refuse days that do not exist.
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d && Number.isFinite(Date.parse(value));
}

function IsInstant() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an ISO-8601 instant with a time zone, e.g. 2026-11-24T15:00:00Z` },
      validator: { validate: isInstant },
    });
}

export class CreateAppointmentDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  patientId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  serviceId: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-24T15:00:00.000Z' })
  @IsString()
  @IsInstant()
  startsAt: string;
}
