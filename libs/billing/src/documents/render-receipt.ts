import { coverageText, label, methodLabel, taxLabel } from './labels.js';
import { DocumentDates, moneyFormat } from './money-format.js';
import { CONTENT_WIDTH, PAGE, PdfLayout } from './pdf-layout.js';
import type { ReceiptModel } from './receipt.js';

/** The receipt's title: what the paper is for the person holding it. */
export function receiptTitle(r: ReceiptModel): string {
  if (r.invoice.status === 'void') return 'Void invoice';
  return r.invoice.balanceDue > 0 ? 'Invoice' : 'Receipt';
}

export const receiptFileName = (r: Pick<ReceiptModel, 'invoice'>): string => `receipt-${r.invoice.number}.pdf`;

/** The receipt as a PDF (Letter): clinic, invoice, patient, lines with what covered them, taxes, payments, balance due. */
export async function renderReceipt(r: ReceiptModel): Promise<Buffer> {
  const money = moneyFormat(r.clinic.currency, r.clinic.locale);
  const dates = new DocumentDates(r.clinic.timezone, r.clinic.locale);
  const title = receiptTitle(r);
  const pdf = new PdfLayout({ title: `${title} ${r.invoice.number} - ${r.clinic.name}`, author: r.clinic.name });
  const left = PAGE.margin;
  const half = CONTENT_WIDTH / 2;

  // Header: the clinic on the left, the paper's title and numbers on the right.
  const top = pdf.y;
  let leftY = top + pdf.text(r.clinic.name, left, top, half + 40, { size: 17, bold: true }) + 3;
  if (r.clinic.taxNumber) leftY += pdf.text(`Tax registration no. ${r.clinic.taxNumber}`, left, leftY, half, { size: 9, muted: true });
  let rightY = top + pdf.text(title.toUpperCase(), left + half, top, half, { size: 20, bold: true, align: 'right', color: '#0b5cad' }) + 4;
  const facts: [string, string][] = [
    ['Invoice no.', String(r.invoice.number)],
    ['Date issued', dates.dayOf(r.invoice.issuedAt)],
    ['Service date', dates.date(r.invoice.serviceDate)],
    ...(r.invoice.dueDate ? [['Due date', dates.date(r.invoice.dueDate)] as [string, string]] : []),
  ];
  for (const [term, value] of facts) {
    pdf.text(`${term}:`, left + half, rightY, half - 110, { size: 9.5, muted: true, align: 'right' });
    rightY += pdf.text(value, PAGE.width - PAGE.margin - 105, rightY, 105, { size: 9.5, bold: true, align: 'right' }) + 1;
  }
  pdf.y = Math.max(leftY, rightY);
  pdf.rule(8, 10);

  pdf.line('BILLED TO', { size: 8.5, bold: true, muted: true });
  pdf.line(r.patient.name, { size: 12, bold: true });
  if (r.patient.dateOfBirth) pdf.line(`Date of birth: ${dates.date(r.patient.dateOfBirth)}`, { size: 9.5, muted: true });
  if (r.patient.email) pdf.line(r.patient.email, { size: 9.5, muted: true });

  pdf.heading('Services');
  pdf.table(
    [
      { header: 'Description', width: 262 },
      { header: 'Qty', width: 40, align: 'right' },
      { header: 'Unit price', width: 100, align: 'right' },
      { header: 'Amount', width: 110, align: 'right' },
    ],
    r.lines.map((l) => ({
      cells: [{ text: l.description }, { text: String(l.quantity) }, { text: money(l.unitPrice) }, { text: money(l.amount) }],
      notes: [
        ...(l.coverage ? [coverageText(l.coverage, (d) => dates.date(d))] : []),
        ...l.taxes.map((t) => `${taxLabel(t)}: ${money(t.amount)}`),
      ],
    })),
  );

  pdf.y += 8;
  pdf.totals([
    { label: 'Subtotal', value: money(r.invoice.subtotal) },
    ...r.taxes.map((t) => ({ label: taxLabel(t), value: money(t.amount) })),
    ...(r.taxes.length === 0 && r.invoice.taxTotal > 0 ? [{ label: 'Taxes', value: money(r.invoice.taxTotal) }] : []),
    { label: 'Total', value: money(r.invoice.total), bold: true },
    ...(r.invoice.coveredAmount > 0 ? [{ label: 'Covered by prepaid visits', value: money(-r.invoice.coveredAmount) }] : []),
    { label: 'Paid', value: money(-r.invoice.amountPaid) },
    { label: 'Balance due', value: money(r.invoice.balanceDue), bold: true, size: 13 },
  ]);

  pdf.heading('Payments');
  if (r.payments.length === 0) pdf.line('No payments recorded.', { size: 9.5, muted: true });
  else
    pdf.table(
      [
        { header: 'Date', width: 140 },
        { header: 'Method', width: 120 },
        { header: 'Reference', width: 142 },
        { header: 'Amount', width: 110, align: 'right' },
      ],
      r.payments.map((p) => {
        const kind = p.amount < 0 ? `Refund (${methodLabel(p.method)})` : methodLabel(p.method);
        return {
          cells: [
            { text: dates.at(p.at), strike: p.voided, muted: p.voided },
            { text: p.voided ? `${kind} - void` : kind, strike: p.voided, muted: p.voided },
            { text: shortIds(p.reference ?? ''), strike: p.voided, muted: p.voided },
            { text: money(p.amount), strike: p.voided, muted: p.voided },
          ],
        };
      }),
    );

  pdf.y += 18;
  pdf.room(30);
  pdf.line(`${label(r.invoice.kind)} invoice · status ${label(r.invoice.status).toLowerCase()} · reference ${r.invoice.id}`, { size: 8, muted: true });
  pdf.line(`Amounts in ${r.clinic.currency}. Dates in ${r.clinic.timezone}.`, { size: 8, muted: true });
  return pdf.finish();
}

/** References name purchases by UUID: the last block tells them apart on paper (as the dashboard does). */
const shortIds = (text: string): string => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})/gi, '…$1');
