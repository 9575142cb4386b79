import { ApiProperty } from '@nestjs/swagger';
import { APPOINTMENT_STATUSES, type Appointment, type AppointmentStatus } from '@app/billing';

export class AppointmentResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  patientId: string;

  @ApiProperty({ format: 'uuid' })
  serviceId: string;

  @ApiProperty({ format: 'date-time' })
  startsAt: string;

  @ApiProperty({ enum: APPOINTMENT_STATUSES })
  status: AppointmentStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Set once POST /v1/appointments/:id/invoice has made it' })
  invoiceId: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function toAppointmentResponse(appointment: Appointment, invoiceId = appointment.invoiceId): AppointmentResponse {
  return {
    id: appointment.id,
    patientId: appointment.patientId,
    serviceId: appointment.serviceId,
    startsAt: appointment.startsAt.toISOString(),
    status: appointment.status ?? 'booked',
    invoiceId,
    createdAt: appointment.createdAt.toISOString(),
  };
}
