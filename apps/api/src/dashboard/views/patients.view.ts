import type { Purchase } from '@app/billing';
import { badge, label, type Formatter } from './format.js';
import { html, type SafeHtml } from './html.js';
import { dataTable } from './table.js';

export interface PatientHit {
  patient: { id: string; firstName: string; lastName: string; email: string | null; phone: string | null; dateOfBirth: string | null };
  purchases: Purchase[];
}

export const patientsFragmentUrl = (search: string) => `/dashboard/patients/fragment${search ? `?search=${encodeURIComponent(search)}` : ''}`;

export function patientsContent(search: string, hits: PatientHit[], limit: number, fmt: Formatter): SafeHtml {
  return html`<div class="toolbar">
  <div>
    <h1>Patients</h1>
    <p class="sub">Search by first or last name, full name, email or phone.</p>
  </div>
  <form class="inline" method="get" action="/dashboard/patients" role="search">
    <input type="search" name="search" value="${search}" placeholder="Name, email or phone" aria-label="Search patients" maxlength="200" autofocus>
    <button type="submit">Search</button>
  </form>
</div>
<div id="live" data-live-src="${patientsFragmentUrl(search)}">
${patientsLive(search, hits, limit, fmt)}
</div>`;
}

export function patientsLive(search: string, hits: PatientHit[], limit: number, fmt: Formatter): SafeHtml {
  if (!search) return html`<section class="panel"><p class="empty">Type part of a name, an email or a phone number to find a patient and their purchases.</p></section>`;
  if (hits.length === 0) return html`<section class="panel"><p class="empty">No patient matches “${search}”.</p></section>`;
  return html`${hits.length === limit ? html`<p class="sub">Showing the ${limit} newest matches: refine the search to narrow them down.</p><br>` : ''}
${hits.map((hit) => patientPanel(hit, fmt))}`;
}

function patientPanel({ patient, purchases }: PatientHit, fmt: Formatter): SafeHtml {
  const contact = [patient.email, patient.phone].filter(Boolean).join(' · ');
  return html`<section class="panel" data-patient-id="${patient.id}">
  <h2 class="patient-head"><span>${patient.firstName} ${patient.lastName}</span>
    <span class="contact">${contact}${patient.dateOfBirth ? html`${contact ? ' · ' : ''}born ${fmt.date(patient.dateOfBirth)}` : ''}</span></h2>
  ${purchases.length === 0
    ? html`<p class="empty">No purchases.</p>`
    : dataTable(
        `Purchases of ${patient.firstName} ${patient.lastName}`,
        [
          { head: 'Plan', cell: (p: Purchase) => html`<a href="/dashboard/purchases/${p.id}">${p.planName}</a>` },
          { head: 'Kind', cell: (p) => html`${label(p.kind)}${p.paymentSchedule === 'installments' ? html` <span class="muted">(instalments)</span>` : ''}` },
          { head: 'Status', cell: (p) => badge(p.status) },
          { head: 'Start date', cell: (p) => fmt.date(p.startDate) },
          { head: 'Expires on', cell: (p) => fmt.date(p.expiresOn) },
          { head: 'Price', num: true, cell: (p) => fmt.amount(p.price) },
          { head: 'Details', num: true, cell: (p) => html`<a href="/dashboard/purchases/${p.id}" aria-label="Details of ${p.planName}">Details →</a>` },
        ],
        purchases,
        (p) => html` data-purchase-id="${p.id}"`,
      )}
</section>`;
}
