import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_CLINIC_SETTINGS, type Clinic, type RefundPolicy } from '@app/billing';
import { REFUND_POLICIES } from './clinic-settings.dto.js';

export class ClinicTaxResponse {
  @ApiProperty({ example: 'HST' })
  code: string;

  @ApiProperty({ example: 'HST' })
  name: string;

  @ApiProperty({ example: '13', description: 'A percent, as a decimal string' })
  rate: string;
}

export class ClinicSettingsResponse {
  @ApiProperty({ enum: REFUND_POLICIES })
  refundPolicy: RefundPolicy;

  @ApiProperty({ type: 'integer' })
  membershipGraceDays: number;

  @ApiProperty({ example: '02:00', description: 'Local time of the daily reconciliation' })
  reconciliationTime: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 168 })
  onlineCancellationHours: number;

  @ApiProperty({ type: () => [ClinicTaxResponse] })
  taxes: ClinicTaxResponse[];

  @ApiProperty({ type: String, nullable: true })
  taxNumber: string | null;
}

export class ClinicResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ example: 'CAD' })
  currency: string;

  @ApiProperty({ example: 'America/Toronto' })
  timezone: string;

  @ApiProperty({ type: () => ClinicSettingsResponse })
  settings: ClinicSettingsResponse;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class CreatedClinicResponse extends ClinicResponse {
  @ApiProperty({ description: "The owner's API key: shown once, never stored" })
  ownerKey: string;
}

export function toClinicResponse(clinic: Clinic): ClinicResponse {
  return {
    id: clinic.id,
    name: clinic.name,
    currency: clinic.currency,
    timezone: clinic.timezone,
    settings: {
      refundPolicy: clinic.settings.refundPolicy,
      membershipGraceDays: clinic.settings.membershipGraceDays,
      reconciliationTime: clinic.settings.reconciliationTime,
      // Clinics made before the setting existed hold no value: the default applies.
      onlineCancellationHours: clinic.settings.onlineCancellationHours ?? DEFAULT_CLINIC_SETTINGS.onlineCancellationHours,
      taxes: (clinic.settings.taxes ?? []).map(({ code, name, rate }) => ({ code, name, rate })),
      taxNumber: clinic.settings.taxNumber ?? null,
    },
    createdAt: clinic.createdAt.toISOString(),
  };
}
