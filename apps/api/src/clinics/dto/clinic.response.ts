import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_CLINIC_SETTINGS, type Clinic, type RefundPolicy } from '@app/billing';
import { REFUND_POLICIES } from './clinic-settings.dto.js';

export class ClinicSettingsResponse {
  @ApiProperty({ enum: REFUND_POLICIES })
  refundPolicy: RefundPolicy;

  @ApiProperty({ type: 'integer' })
  membershipGraceDays: number;

  @ApiProperty({ example: '02:00', description: 'Local time of the daily reconciliation' })
  reconciliationTime: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 168 })
  onlineCancellationHours: number;
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
    },
    createdAt: clinic.createdAt.toISOString(),
  };
}
