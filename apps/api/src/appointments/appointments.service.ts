import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Appointment, build, Invoice, Patient, Service } from '@app/billing';
import { notFound } from '../common/problem.exception.js';
import type { CreateAppointmentDto } from './dto/create-appointment.dto.js';

@Injectable()
export class AppointmentsService {
  constructor(private readonly em: EntityManager) {}

  /** Patient and service must be the clinic's own: another clinic's are a 404 like missing ones. */
  async create(clinicId: string, dto: CreateAppointmentDto, keyId: string): Promise<Appointment> {
    const patientId = dto.patientId.toLowerCase();
    const serviceId = dto.serviceId.toLowerCase();
    if (!(await this.em.count(Patient, { id: patientId, clinicId }))) throw notFound('Patient');
    if (!(await this.em.count(Service, { id: serviceId, clinicId }))) throw notFound('Service');
    const appointment = build(Appointment, { clinicId, patientId, serviceId, startsAt: new Date(dto.startsAt), createdByKeyId: keyId });
    await this.em.persist(appointment).flush();
    return appointment;
  }

  /** The appointment and its invoice's id (read from the invoice, which holds the unique link). */
  async get(clinicId: string, id: string): Promise<{ appointment: Appointment; invoiceId: string | null }> {
    const appointment = await this.em.findOne(Appointment, { id, clinicId });
    if (!appointment) throw notFound('Appointment');
    const invoice = await this.em.findOne(Invoice, { appointmentId: id, clinicId }, { fields: ['id'] });
    return { appointment, invoiceId: invoice?.id ?? appointment.invoiceId };
  }
}
