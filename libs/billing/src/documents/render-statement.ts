import { label } from './labels.js';
import { DocumentDates, moneyFormat } from './money-format.js';
import { CONTENT_WIDTH, PAGE, PdfLayout } from './pdf-layout.js';
import type { StatementModel } from './statement.js';

export const statementFileName = (s: Pick<StatementModel, 'purchase' | 'asOf'>): string => `statement-${s.purchase.id.slice(-8)}-${s.asOf}.pdf`;

/** The purchase statement as a PDF (Letter): summary, balances per service, instalments, history. */
export async function renderStatement(s: StatementModel): Promise<Buffer> {
  const money = moneyFormat(s.clinic.currency, s.clinic.locale);
  const dates = new DocumentDates(s.clinic.timezone, s.clinic.locale);
  const pdf = new PdfLayout({ title: `Statement - ${s.purchase.planName} - ${s.patient.name}`, author: s.clinic.name });
  const left = PAGE.margin;
  const half = CONTENT_WIDTH / 2;

  const top = pdf.y;
  let leftY = top + pdf.text(s.clinic.name, left, top, half + 40, { size: 17, bold: true }) + 3;
  if (s.clinic.taxNumber) leftY += pdf.text(`Tax registration no. ${s.clinic.taxNumber}`, left, leftY, half, { size: 9, muted: true });
  let rightY = top + pdf.text('STATEMENT', left + half, top, half, { size: 20, bold: true, align: 'right', color: '#0b5cad' }) + 4;
  rightY += pdf.text(`As of ${dates.date(s.asOf)}`, left + half, rightY, half, { size: 9.5, align: 'right' });
  pdf.y = Math.max(leftY, rightY);
  pdf.rule(8, 10);

  pdf.line('PATIENT', { size: 8.5, bold: true, muted: true });
  pdf.line(s.patient.name, { size: 12, bold: true });
  pdf.y += 6;
  const p = s.purchase;
  const facts: [string, string][] = [
    ['Plan', `${p.planName} (${p.kind})`],
    ['Status', `${label(p.status)}${p.cancelAt ? `, ends ${dates.date(p.cancelAt)}` : ''}`],
    ['Started', dates.date(p.startDate)],
    ['Expires', p.expiresOn ? dates.date(p.expiresOn) : 'Never'],
    ['Payment', p.paymentSchedule === 'installments' ? 'Instalments' : 'In full'],
  ];
  for (const [term, value] of facts) {
    pdf.text(`${term}:`, left, pdf.y, 80, { size: 9.5, muted: true });
    pdf.y += pdf.text(value, left + 80, pdf.y, CONTENT_WIDTH - 80, { size: 9.5 }) + 1;
  }
  pdf.y += 4;
  pdf.totals([
    { label: 'Price', value: money(p.price) },
    { label: 'Paid', value: money(p.amountPaid) },
    ...(p.amountRefunded > 0 ? [{ label: 'Refunded', value: money(p.amountRefunded) }] : []),
    { label: 'Balance owing', value: money(p.balanceOwing), bold: true, size: 13 },
  ]);

  pdf.heading(p.kind === 'membership' ? 'Visits this cycle' : 'Visits');
  pdf.table(
    [
      { header: 'Service', width: 202 },
      { header: 'Total', width: 62, align: 'right' },
      { header: 'Used', width: 62, align: 'right' },
      { header: 'Transferred', width: 124, align: 'right' },
      { header: 'Remaining', width: 62, align: 'right' },
    ],
    s.balances.map((b) => ({
      cells: [
        { text: b.perCycle !== null ? `${b.serviceName} (${b.perCycle} per cycle)` : b.serviceName },
        { text: String(b.total) },
        { text: String(b.used) },
        { text: b.transferredOut || b.transferredIn ? `${b.transferredOut} out, ${b.transferredIn} in` : '0' },
        { text: String(b.remaining), bold: true },
      ],
    })),
  );

  if (s.installments.length > 0) {
    pdf.heading('Instalments');
    pdf.table(
      [
        { header: '#', width: 40 },
        { header: 'Invoice', width: 70 },
        { header: 'Due', width: 110 },
        { header: 'Amount', width: 100, align: 'right' },
        { header: 'Status', width: 82 },
        { header: 'Balance', width: 110, align: 'right' },
      ],
      s.installments.map((i) => ({
        cells: [
          { text: String(i.number ?? '') },
          { text: i.invoiceNumber !== null ? `#${i.invoiceNumber}` : '' },
          { text: i.dueDate ? dates.date(i.dueDate) : '' },
          { text: money(i.amount) },
          { text: label(i.status), bold: i.status === 'overdue' },
          { text: money(i.balance) },
        ],
      })),
    );
  }

  pdf.heading('History');
  if (s.history.length === 0) pdf.line('Nothing yet.', { size: 9.5, muted: true });
  else
    pdf.table(
      [
        { header: 'When', width: 115 },
        { header: 'Event', width: 95 },
        { header: 'Service', width: 130 },
        { header: 'Visits', width: 40, align: 'right' },
        { header: 'Amount', width: 75, align: 'right' },
        { header: 'Invoice', width: 57 },
      ],
      s.history.map((h) => ({
        cells: [
          { text: dates.at(h.at) },
          { text: label(h.type) },
          { text: h.serviceName ?? '' },
          { text: h.quantity !== null ? String(h.quantity) : '' },
          { text: h.amount !== null ? money(h.amount) : '' },
          { text: h.invoiceNumber !== null ? `#${h.invoiceNumber}` : '' },
        ],
        notes: h.note ? [h.note] : [],
      })),
    );

  pdf.y += 18;
  pdf.room(30);
  pdf.line(`Purchase reference ${p.id}. Amounts in ${s.clinic.currency}. Dates in ${s.clinic.timezone}.`, { size: 8, muted: true });
  return pdf.finish();
}
