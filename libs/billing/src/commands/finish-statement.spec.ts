import { sql } from 'kysely';
import type { EntityManager } from '@mikro-orm/postgresql';
import { db, json, shaped } from '../db/query.js';
import type { GiveBackEffects, GiveBackTarget } from '../domain/reversal.js';
import type { RedemptionEffects } from '../domain/redemption.js';
import type { InvoiceLineState } from '../queries/purchase-states.js';
import { finishQuery, finishStatement } from './command-runner.js';
import { submitCommand } from './command-store.js';
import { shapedWrite, type ShapedWrite } from './handler.js';
import { giveBackWrites } from './handlers/give-back.effects.js';
import { redemptionWrites } from './handlers/redemption.handler.js';
import { refundedInvoice, refundPayment } from './handlers/refund.handler.js';

// The finishing statement is a shape compiled once per sequence of effect keys, then only filled
// in: for every input it must be exactly what Kysely compiles from the writes built with their
// values (the statement as it was before shapes), text and parameters.
const unshaped = (commandId: string, result: object, writes: readonly ShapedWrite[]) =>
  plain(finishQuery(db, 'succeeded', json(result), null, commandId, writes.map((w) => w.build(...w.args))).compile());
const plain = ({ sql, parameters }: { sql: string; parameters: readonly unknown[] }) => ({ sql, parameters });

let n = 0;
const id = (prefix: string) => `${prefix}-${++n}`;

const invoice = (taxes: { code: string; rateMilliPercent: number; amount: number }[]): InvoiceLineState => ({
  invoiceId: id('invoice'), clinicId: 'clinic', patientId: 'patient', status: 'open', serviceDate: '2026-11-27', total: 12000 + taxes.reduce((s, t) => s + t.amount, 0),
  coveredAmount: 0, amountPaid: 0, amountWrittenOff: 0, taxTotal: taxes.reduce((s, t) => s + t.amount, 0),
  line: { id: id('line'), serviceId: 'massage', kind: 'service', quantity: 1, amount: 12000, redemptionCommandId: null, taxes },
});
const effects = (over: Partial<RedemptionEffects> = {}): RedemptionEffects => ({
  purchaseId: id('purchase'), serviceId: 'massage', quantity: 1, cycleStart: null, coveredAmount: 12000, insurance: null, exhausts: false, ...over,
});
const command = () => ({ id: id('cmd'), requestedByKeyId: null });

describe('finishStatement', () => {
  const redemptions: [string, () => Parameters<typeof redemptionWrites>][] = [
    ['a package visit', () => [command(), invoice([]), 'package', effects(), null]],
    ['a package visit that exhausts it', () => [command(), invoice([]), 'package', effects({ exhausts: true }), null]],
    ['a membership visit in a cycle', () => [command(), invoice([]), 'membership', effects({ cycleStart: '2026-11-01' }), null]],
    ['a taxed visit (the line\'s taxes kept in the entry)', () => [command(), invoice([{ code: 'HST', rateMilliPercent: 13000, amount: 1560 }]), 'package', effects(), null]],
    ['a part of the line covered', () => [command(), invoice([]), 'package', effects({ coveredAmount: 5000 }), null]],
    ['an insurance-friendly visit (repriced, package credit)', () => [command(), invoice([]), 'package', effects({ coveredAmount: 9000, insurance: { unitPrice: 9000, lineAmount: 9000, paymentAmount: 9000 } }), null]],
  ];

  it.each(redemptions)('of a redemption, %s, is what the whole compile says (first and cached)', (_, input) => {
    for (let run = 0; run < 3; run++) {
      const args = input();
      const { writes } = redemptionWrites(...args);
      const result = { purchaseId: args[3].purchaseId, run };
      expect(finishStatement(args[0].id, { status: 'succeeded', result, effects: writes })).toEqual(unshaped(args[0].id, result, writes));
    }
  });

  it('of a void giving back several redemptions (some repriced, taxed, a credit voided), and of refunds', () => {
    const target = (amount: number, quantity: number, kind: 'package' | 'membership') => ({ line: { amount }, redemption: { quantity }, purchase: { kind } }) as unknown as GiveBackTarget;
    const given = (over: Partial<GiveBackEffects>): GiveBackEffects => ({
      kind: 'redemption_reversed', redemptionId: id('red'), purchaseId: 'p1', serviceId: 'massage', invoiceId: 'inv', lineId: id('line'), quantity: 1,
      ledger: { serviceId: 'massage', visits: 1, cycleStart: null }, line: { amount: 12000, coveredAmount: 0, taxDelta: 0 }, voidPaymentId: null,
      invoice: { total: 12000, coveredAmount: 0, amountPaid: 0, status: 'open' }, purchaseStatus: null, history: { type: 'redemption_reversed', quantity: 1, invoiceId: 'inv', note: null }, ...over,
    });
    for (let run = 0; run < 2; run++) {
      const targets = [target(12000, 1, 'package'), target(9000, 2, 'package'), target(5000, 1, 'membership'), target(12000, 1, 'package')];
      const back = [
        given({}),
        given({ line: { amount: 24000, coveredAmount: 0, taxDelta: 3120, taxes: [{ code: 'HST', rateMilliPercent: 13000, amount: 3120 }] }, voidPaymentId: id('pay'), purchaseStatus: 'active' }),
        given({ purchaseId: 'p2', ledger: { serviceId: 'massage', visits: 1, cycleStart: '2026-11-01' } }),
        given({ kind: 'redemption_released', ledger: null, purchaseId: 'p3' }),
      ];
      const final = { total: 36000 + run, coveredAmount: 0, amountPaid: 0, status: 'open' as const };
      for (const voided of [true, false]) {
        const writes = [...giveBackWrites(command(), 'clinic', targets, back, { id: 'inv', final, voided }), refundPayment([id('pay'), 'clinic', 'inv', -500, 'card', 'sorry', 'cmd', 'cmd:refund:inv', null]), refundedInvoice(500, 'inv')];
        const commandId = id('cmd');
        expect(finishStatement(commandId, { status: 'succeeded', result: { run }, effects: writes })).toEqual(unshaped(commandId, { run }, writes));
      }
    }
  });

  it('without effects (rejected), and with an effect holding a literal', () => {
    const error = { type: 'about:blank', title: 'x', status: 409, detail: 'x', code: 'invoice_void' };
    expect(finishStatement('cmd-r', { status: 'rejected', error })).toEqual(plain(finishQuery(db, 'rejected', null, json(error), 'cmd-r', []).compile()));
    // A literal in an effect (a '$1' in it too) is text of the shape, never renumbered.
    const literal = [shapedWrite('test.literal', ['i'], (invoiceId) => db.updateTable('invoice').set({ status: sql<'paid'>`'paid'`, kind: sql<'service'>`coalesce(null, 'service', '$1')::text` as never }).where('id', '=', invoiceId))];
    expect(finishStatement('cmd-l', { status: 'succeeded', result: {}, effects: literal })).toEqual(unshaped('cmd-l', {}, literal));
  });
});

describe('shaped', () => {
  it('refuses a shape whose argument is not used as a value', () => {
    expect(() => shaped('test.unused', ['a', 'b'], (a: string, _b: string) => db.selectFrom('command').select('id').where('id', '=', a))).toThrow(/not used/);
  });

  it('refuses an undefined argument (Kysely would leave its column out)', () => {
    expect(() => shaped('test.undefined', ['a', undefined], (a, b) => db.updateTable('invoice').set({ status: b as never }).where('id', '=', a))).toThrow(/undefined/);
  });

  it('detects a key shared by two texts: a column that comes and goes, or another statement', () => {
    const write = (status: 'paid' | null) => shaped('test.collide', status ? ['i', status] : ['i'], (...a: string[]) =>
      db.updateTable('invoice').set({ amount_paid: 0, ...(status ? { status: a[1] as 'paid' } : {}) }).where('id', '=', a[0]));
    expect(write('paid').parameters).toEqual([0, 'paid', 'i']);
    // Another number of arguments under the key: refused in any environment.
    expect(() => write(null)).toThrow(/share the key/);
    // The same number, another text: outside production every fill is compared with Kysely's compile.
    expect(() => shaped('test.collide', ['i', 'paid'], (a, b) => db.updateTable('invoice').set({ status: b as 'paid' }).where('id', '=', a))).toThrow(/not what its arguments compile to/);
    // A build that decides on a value instead of the key.
    const branchy = (status: 'paid' | 'open') => shaped('test.branchy', [status, 'i'], (s, i) =>
      db.updateTable('invoice').set(status === 'paid' ? { status: s, voided_at: null } : { status: s }).where('id', '=', i));
    expect(branchy('paid').sql).toContain('voided_at');
    expect(() => branchy('open')).toThrow(/not what its arguments compile to/);
  });
});

describe('submitCommand', () => {
  /** An EntityManager whose one statement is captured and answered by a created row. */
  const capturing = () => {
    const statements: { sql: string; parameters: readonly unknown[] }[] = [];
    const row = { missing: null, id: 'c', created_at: '2026-11-27 09:35:00.123456+00', clinic_id: 'k', type: 'redemption', status: 'queued', request: { invoiceId: 'i' }, idempotency_key: null, channel: 'staff', result: null, error: null, attempts: 0, progress: null, requested_by_key_id: null, correlation_id: null, started_at: null, finished_at: null };
    const em = {
      getTransactionContext: () => ({ executeQuery: async (q: { sql: string; parameters: readonly unknown[] }) => (statements.push(q), { rows: [row] }) }),
      getPlatform: () => ({ parseDate: (v: string) => new Date(v) }),
    } as unknown as EntityManager;
    return { em, statements };
  };
  const submit = (em: EntityManager, request: { invoiceId: string; lineId: string; purchaseId?: string }, key: string | null) =>
    submitCommand(em, { clinicId: 'k', type: 'redemption', endpoint: 'POST /v1/redemptions', request, idempotencyKey: key, requestedByKeyId: null, channel: 'staff' });

  it('stores one text per variant, its values as parameters, and answers a plain command', async () => {
    const { em, statements } = capturing();
    const first = await submit(em, { invoiceId: 'i1', lineId: 'l1' }, 'key-1');
    await submit(em, { invoiceId: 'i2', lineId: 'l2' }, 'key-2');
    await submit(em, { invoiceId: 'i3', lineId: 'l3', purchaseId: 'p3' }, 'key-3');
    await submit(em, { invoiceId: 'i4', lineId: 'l4' }, null);
    expect(statements[0].sql).toBe(statements[1].sql);
    expect(statements[1].parameters).toEqual(expect.arrayContaining(['i2', 'l2', 'key-2', 'POST /v1/redemptions']));
    expect(new Set(statements.map((s) => s.sql)).size).toBe(3);
    expect(statements[2].parameters).toContain('p3');
    expect(first).toEqual({ outcome: 'created', command: expect.objectContaining({ id: 'c', status: 'queued', createdAt: new Date('2026-11-27T09:35:00.123Z'), request: { invoiceId: 'i' }, startedAt: null }) });
  });
});
