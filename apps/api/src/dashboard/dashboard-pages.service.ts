import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clinic, dashboardView, isIsoDate, Patient, Purchase, purchaseDetails, todayIn, type DashboardView, type IsoDate } from '@app/billing';
import { ProblemException, notFound } from '../common/problem.exception.js';
import { PatientsService } from '../patients/patients.service.js';
import type { DashboardSession } from './session/dashboard-session.service.js';
import { Formatter } from './views/format.js';
import type { PatientHit } from './views/patients.view.js';
import type { PurchasePageData } from './views/purchase.view.js';

/** Patients listed by one search. */
export const SEARCH_LIMIT = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ClinicContext {
  clinic: Clinic;
  today: IsoDate;
  fmt: Formatter;
}

/** What the pages show, read (never written) for the session's clinic only. */
@Injectable()
export class DashboardPagesService {
  constructor(
    private readonly em: EntityManager,
    private readonly patients: PatientsService,
  ) {}

  async clinic(session: DashboardSession): Promise<ClinicContext> {
    const clinic = await this.em.fork().findOneOrFail(Clinic, { id: session.clinicId });
    return { clinic, today: todayIn(clinic.timezone), fmt: new Formatter(clinic.currency, clinic.timezone) };
  }

  /** `?asOf=` as given (null when absent or empty: today); anything but a real date is a 400. */
  parseAsOf(raw: unknown): IsoDate | null {
    if (raw === undefined || raw === '') return null;
    if (typeof raw !== 'string' || !isIsoDate(raw)) {
      throw new ProblemException('validation_failed', 'The date must be a real date, YYYY-MM-DD.', { errors: [{ field: 'asOf', message: 'asOf must be a date YYYY-MM-DD' }] });
    }
    return raw;
  }

  dashboard(session: DashboardSession, asOf: IsoDate): Promise<DashboardView> {
    return dashboardView(this.em.fork(), session.clinicId, asOf);
  }

  /** `?search=` trimmed; more than the API's 200 characters is a 400. */
  parseSearch(raw: unknown): string {
    if (raw === undefined) return '';
    if (typeof raw !== 'string' || raw.length > 200) {
      throw new ProblemException('validation_failed', 'The search must be text of at most 200 characters.', { errors: [{ field: 'search', message: 'search must be at most 200 characters' }] });
    }
    return raw.trim();
  }

  /** The same matching as GET /v1/patients?search= (PatientsService), with each patient's purchases. */
  async searchPatients(session: DashboardSession, search: string): Promise<PatientHit[]> {
    if (!search) return [];
    const page = await this.patients.list(session.clinicId, { search, limit: SEARCH_LIMIT });
    if (page.data.length === 0) return [];
    const purchases = await this.em.fork().find(
      Purchase,
      { clinicId: session.clinicId, patientId: { $in: page.data.map((p) => p.id) }, deletedAt: null },
      { orderBy: { id: 'desc' } },
    );
    return page.data.map((patient) => ({ patient, purchases: purchases.filter((p) => p.patientId === patient.id) }));
  }

  /** A purchase of the session's clinic: another clinic's, a deleted one or a malformed id is a 404. */
  async purchase(session: DashboardSession, id: string, today: IsoDate): Promise<PurchasePageData> {
    if (!UUID.test(id)) throw notFound('Purchase');
    const em = this.em.fork();
    const details = await purchaseDetails(em, session.clinicId, id.toLowerCase(), today);
    if (!details) throw notFound('Purchase');
    const patient = await em.findOneOrFail(Patient, { id: details.patientId, clinicId: session.clinicId });
    return { details, patient };
  }
}
