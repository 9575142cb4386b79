import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  addDays,
  ageingReport,
  ApiKey,
  Clinic,
  collectionsView,
  Command,
  COMMAND_TYPES,
  commandContexts,
  commandResource,
  currencyDigits,
  dashboardView,
  isIsoDate,
  liabilityReport,
  Patient,
  patientContacts,
  Purchase,
  purchaseDetails,
  revenueReport,
  todayIn,
  type CollectionPatient,
  type CommandType,
  type IsoDate,
} from '@app/billing';
import { ProblemException, notFound } from '../common/problem.exception.js';
import { PatientsService } from '../patients/patients.service.js';
import type { DashboardSession } from './session/dashboard-session.service.js';
import type { DashboardPageData } from './views/dashboard.view.js';
import { Formatter } from './views/format.js';
import type { PatientHit } from './views/patients.view.js';
import type { PurchasePageData } from './views/purchase.view.js';

/** Patients listed by one search. */
export const SEARCH_LIMIT = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The revenue chart's window, ending on the as-of day. */
const REVENUE_DAYS = 30;

export interface ClinicContext {
  clinic: Clinic;
  today: IsoDate;
  fmt: Formatter;
  digits: number;
}

/** What the pages show, read for the session's clinic only (actions are DashboardActionsController's). */
@Injectable()
export class DashboardPagesService {
  constructor(
    private readonly em: EntityManager,
    private readonly patients: PatientsService,
  ) {}

  async clinic(session: DashboardSession): Promise<ClinicContext> {
    const clinic = await this.em.fork().findOneOrFail(Clinic, { id: session.clinicId });
    return { clinic, today: todayIn(clinic.timezone), fmt: new Formatter(clinic.currency, clinic.timezone), digits: currencyDigits(clinic.currency) };
  }

  /** `?asOf=` as given (null when absent or empty: today); anything but a real date is a 400. */
  parseAsOf(raw: unknown): IsoDate | null {
    const checked = this.checkAsOf(raw);
    if ('error' in checked) throw new ProblemException('validation_failed', checked.error, { errors: [{ field: 'asOf', message: 'asOf must be a date YYYY-MM-DD' }] });
    return checked.asOf;
  }

  /** `?asOf=` checked without throwing: a page keeps itself and shows the error beside the picker. */
  checkAsOf(raw: unknown): { asOf: IsoDate | null } | { error: string; typed: string } {
    if (raw === undefined || raw === '') return { asOf: null };
    if (typeof raw !== 'string' || !isIsoDate(raw)) {
      return { error: 'The date must be a real date, YYYY-MM-DD: the page shows today instead.', typed: typeof raw === 'string' ? raw.slice(0, 40) : '' };
    }
    return { asOf: raw };
  }

  /** `?type=` of the activity filter: a command type, or none. */
  parseType(raw: unknown): CommandType | null {
    return typeof raw === 'string' && (COMMAND_TYPES as readonly string[]).includes(raw) ? (raw as CommandType) : null;
  }

  async dashboard(session: DashboardSession, asOf: IsoDate, options: { type: CommandType | null; retried: string | null }): Promise<DashboardPageData> {
    const em = this.em.fork();
    const clinicId = session.clinicId;
    const retriedId = options.retried && UUID.test(options.retried) ? options.retried.toLowerCase() : null;
    const [view, ageing, revenue, liability, retried] = await Promise.all([
      dashboardView(em, clinicId, asOf, options.type ? { activityType: options.type } : {}),
      ageingReport(this.em.fork(), clinicId, asOf),
      revenueReport(this.em.fork(), clinicId, addDays(asOf, 1 - REVENUE_DAYS), asOf),
      liabilityReport(this.em.fork(), clinicId, asOf),
      retriedId ? this.em.fork().findOne(Command, { id: retriedId, clinicId }) : null,
    ]);
    const named = [...view.failedCommands, ...view.recentActivity.map((a) => ({ id: a.commandId, request: { purchaseId: a.purchaseId, invoiceId: a.invoiceId } }))];
    const [contexts, contacts] = await Promise.all([
      commandContexts(this.em.fork(), clinicId, retried ? [...named, retried] : named),
      patientContacts(this.em.fork(), clinicId, [...view.unpaidMembershipInvoices, ...view.overdueInstallments].map((i) => i.patientId)),
    ]);
    return {
      view,
      contexts,
      contacts,
      charts: { ageing, revenue, liability },
      retried: retried ? { command: commandResource(retried), context: contexts.get(retried.id) ?? {} } : null,
      activityType: options.type,
    };
  }

  collections(session: DashboardSession, asOf: IsoDate): Promise<CollectionPatient[]> {
    return collectionsView(this.em.fork(), session.clinicId, asOf);
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
    const keyIds = [...new Set(details.history.flatMap((h) => (h.byKeyId ? [h.byKeyId] : [])))];
    const keys = keyIds.length ? await em.find(ApiKey, { id: { $in: keyIds }, clinicId: session.clinicId }, { fields: ['id', 'name'] }) : [];
    return { details, patient, today, keyNames: new Map(keys.map((k) => [k.id, k.name])) };
  }
}
