import type { Type } from '@nestjs/common';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AppointmentsModule } from './appointments/appointments.module.js';
import { ClinicsModule } from './clinics/clinics.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DocumentsModule } from './documents/documents.module.js';
import { FamiliesModule } from './families/families.module.js';
import { InvoicesModule } from './invoices/invoices.module.js';
import { PatientsModule } from './patients/patients.module.js';
import { PlansModule } from './plans/plans.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ServicesModule } from './services/services.module.js';

/** Synchronous resources (catalogue, patients, invoices, …): one module per folder. */
export const RESOURCE_MODULES: Type[] = [
  ClinicsModule,
  ApiKeysModule,
  ServicesModule,
  PlansModule,
  PatientsModule,
  FamiliesModule,
  AppointmentsModule,
  InvoicesModule,
  DashboardModule,
  DocumentsModule,
  ReportsModule,
];
