import { Check, Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import type { AppointmentStatus } from '../domain/appointment-cancellation.js';
import { BaseEntity, ForeignKey } from './base.js';
import { ApiKey } from './api-key.entity.js';
import { Clinic } from './clinic.entity.js';
import { Patient } from './patient.entity.js';
import { Service } from './service.entity.js';

@Entity({ tableName: 'appointment' })
@Index({ properties: ['clinicId', 'patientId'] })
// Target of the composite tenant keys (clinic_id, <ref>) → (clinic_id, id): see migrations.
@Unique({ properties: ['clinicId', 'id'] })
@Check({ name: 'appointment_status_check', expression: "status in ('booked', 'cancelled')" })
export class Appointment extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Patient, 'patient_id')
  patientId: string;

  @ForeignKey(() => Service, 'service_id')
  serviceId: string;

  @Property({ type: 'timestamptz' })
  startsAt: Date;

  @Property({ type: 'text', default: 'booked' })
  status: AppointmentStatus = 'booked';

  /** Set once, when the appointment's invoice is made (the invoice holds the unique link). */
  @Property({ type: 'uuid', nullable: true })
  invoiceId: string | null = null;

  @ForeignKey(() => ApiKey, 'created_by_key_id', { nullable: true })
  createdByKeyId: string | null = null;
}
