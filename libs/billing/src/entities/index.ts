import { ApiKey } from './api-key.entity.js';
import { Appointment } from './appointment.entity.js';
import { Booking } from './booking.entity.js';
import { Clinic } from './clinic.entity.js';
import { Command } from './command.entity.js';
import { Family } from './family.entity.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { Invoice } from './invoice.entity.js';
import { InvoiceLine } from './invoice-line.entity.js';
import { LedgerEntry } from './ledger-entry.entity.js';
import { Patient } from './patient.entity.js';
import { Payment } from './payment.entity.js';
import { Plan } from './plan.entity.js';
import { PlanItem } from './plan-item.entity.js';
import { Purchase } from './purchase.entity.js';
import { PurchaseBalance } from './purchase-balance.entity.js';
import { Service } from './service.entity.js';

export * from './base.js';
export * from './api-key.entity.js';
export * from './appointment.entity.js';
export * from './booking.entity.js';
export * from './clinic.entity.js';
export * from './command.entity.js';
export * from './family.entity.js';
export * from './idempotency-record.entity.js';
export * from './invoice.entity.js';
export * from './invoice-line.entity.js';
export * from './ledger-entry.entity.js';
export * from './patient.entity.js';
export * from './payment.entity.js';
export * from './plan.entity.js';
export * from './plan-item.entity.js';
export * from './purchase.entity.js';
export * from './purchase-balance.entity.js';
export * from './service.entity.js';

export const ENTITIES = [
  Clinic, ApiKey, Service, Plan, PlanItem, Family, Patient, Purchase, PurchaseBalance,
  Appointment, Invoice, InvoiceLine, Payment, LedgerEntry, Command, IdempotencyRecord, Booking,
];
