import { Injectable } from '@nestjs/common';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Appointment, build, Clinic, Invoice, InvoiceLine, lineTaxes, localDateOf, nextInvoiceNumber, Service, sumTaxes, taxRatesFor } from '@app/billing';
import { ClinicsService } from '../clinics/clinics.service.js';
import { notFound } from '../common/problem.exception.js';
import type { InvoiceResponse } from '../invoices/dto/invoice.response.js';
import { InvoiceViewsService } from '../invoices/invoice-views.service.js';

/** The one invoice of an appointment: made on the first call, returned as it is on every later one. */
@Injectable()
export class AppointmentInvoicesService {
  constructor(
    private readonly em: EntityManager,
    private readonly clinics: ClinicsService,
    private readonly views: InvoiceViewsService,
  ) {}

  async invoiceFor(clinicId: string, appointmentId: string, keyId: string): Promise<{ created: boolean; invoice: InvoiceResponse }> {
    const timezone = await this.clinics.timezoneOf(clinicId);
    let created: { id: string } | null;
    try {
      created = await this.em.fork().transactional(async (tx) => {
        // The appointment's row lock queues concurrent calls; the unique appointment_id decides in the end.
        const appointment = await tx.findOne(Appointment, { id: appointmentId, clinicId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!appointment) throw notFound('Appointment');
        if (await tx.count(Invoice, { appointmentId })) return null;
        const service = await tx.findOne(Service, { id: appointment.serviceId, clinicId });
        if (!service) throw notFound('Service');
        // Taxed by the service's codes at today's rates, which the line keeps (billing-rules.md "Taxes").
        const codes = service.taxCodes ?? [];
        const clinic = codes.length ? await tx.findOne(Clinic, { id: clinicId }, { lockMode: LockMode.PESSIMISTIC_READ }) : null;
        const taxes = lineTaxes(service.price, codes.length ? taxRatesFor(clinic?.settings.taxes ?? [], codes) : []);
        const taxTotal = sumTaxes(taxes);
        const number = await nextInvoiceNumber(tx, clinicId);
        const invoice = build(Invoice, {
          clinicId,
          number,
          patientId: appointment.patientId,
          kind: 'service',
          appointmentId,
          serviceDate: localDateOf(appointment.startsAt, timezone),
          subtotal: service.price,
          taxTotal,
          total: service.price + taxTotal,
          createdByKeyId: keyId,
        });
        const line = build(InvoiceLine, {
          clinicId,
          invoiceId: invoice.id,
          serviceId: service.id,
          description: service.name,
          quantity: 1,
          unitPrice: service.price,
          amount: service.price,
          taxes,
        });
        appointment.invoiceId = invoice.id;
        tx.persist(invoice);
        tx.persist(line);
        return { id: invoice.id };
      });
    } catch (error) {
      // Another request (a booking, or a call that did not wait on the lock) made it first.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      created = null;
    }
    if (created) return { created: true, invoice: await this.views.one(clinicId, created.id) };
    const existing = await this.em.fork().findOne(Invoice, { appointmentId, clinicId }, { fields: ['id'] });
    if (!existing) throw notFound('Invoice');
    return { created: false, invoice: await this.views.one(clinicId, existing.id) };
  }
}
