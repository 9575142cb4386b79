import { Entity, Index, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity, ForeignKey } from './base.js';
import { ApiKey } from './api-key.entity.js';
import { Appointment } from './appointment.entity.js';
import { Clinic } from './clinic.entity.js';
import { Invoice } from './invoice.entity.js';

@Entity({ tableName: 'booking' })
@Index({ properties: ['clinicId', 'createdByKeyId'] })
export class Booking extends BaseEntity {
  @ForeignKey(() => Clinic, 'clinic_id')
  clinicId: string;

  @ForeignKey(() => Appointment, 'appointment_id')
  appointmentId: string;

  @ForeignKey(() => Invoice, 'invoice_id')
  invoiceId: string;

  @Property({ type: 'uuid', nullable: true })
  redemptionCommandId: string | null = null;

  @ForeignKey(() => ApiKey, 'created_by_key_id', { nullable: true })
  createdByKeyId: string | null = null;
}
