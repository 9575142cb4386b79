import { accept, reject, type Decision } from './errors.js';

/**
 * Where a receipt is e-mailed: the address asked for, else the patient's; no_email_address when
 * neither gives one (an empty or blank address counts as none).
 */
export function receiptRecipient(requested: string | undefined, patientEmail: string | null): Decision<{ to: string }> {
  const to = [requested, patientEmail].map((a) => a?.trim() ?? '').find((a) => a !== '');
  return to ? accept({ to }) : reject('no_email_address');
}
