import { sql } from 'kysely';
import { db, json, shaped } from '../db/query.js';
import { finishQuery, finishStatement } from './command-runner.js';

// The finishing statement is assembled from a shape compiled once and effects compiled apart:
// with its parameters written in, it must say exactly what Kysely's compile of the whole says.
const inlined = ({ sql: text, parameters }: { sql: string; parameters: readonly unknown[] }) =>
  text.replace(/\$(\d+)/g, (_, n: string) => JSON.stringify(parameters[Number(n) - 1]));
/** The CTEs of a statement by name, so the order they are written in does not matter. */
const ctes = (text: string) => text.replace(/^with /, '').split(/, (?="[a-z_0-9]+" as \()/).sort();

describe('finishStatement', () => {
  const effects = (n: number) => [
    db.insertInto('ledger_entry').values({ id: `le-${n}`, clinic_id: 'c', purchase_id: `p-${n}`, type: 'redeemed', visits: -n, amount: 0, command_id: 'x', effect_key: `x:${n}` }),
    db.updateTable('purchase_balance').set((eb) => ({ used: eb('used', '+', n) })).where('purchase_id', '=', `p-${n}`).where('service_id', '=', 's'),
    db.updateTable('invoice').set({ total: 100 * n, status: 'paid' }).where('id', '=', `i-${n}`),
  ];

  it.each([1, 2, 12])('says what the whole compile says, with %i effects around', (n) => {
    const writes = effects(n);
    const whole = finishQuery(db, 'succeeded', json({ n }), null, `cmd-${n}`, writes).compile();
    const assembled = finishStatement(`cmd-${n}`, { status: 'succeeded', result: { n }, effects: writes });
    expect(ctes(inlined(assembled))).toEqual(ctes(inlined(whole)));
    expect(assembled.parameters).toHaveLength(whole.parameters.length);
  });

  it('without effects, and with an effect holding a literal (compiled whole)', () => {
    const error = { type: 'about:blank', title: 'x', status: 409, code: 'invoice_void' } as never;
    const none = finishStatement('cmd-r', { status: 'rejected', error });
    expect(inlined(none)).toBe(inlined(finishQuery(db, 'rejected', null, json(error), 'cmd-r', []).compile()));
    const literal = [db.updateTable('invoice').set({ status: sql<'paid'>`'paid'` }).where('id', '=', 'i')];
    const mixed = finishStatement('cmd-l', { status: 'succeeded', result: {}, effects: literal });
    expect(mixed).toEqual(finishQuery(db, 'succeeded', json({}), null, 'cmd-l', literal).compile());
  });

  it('refuses a shape whose argument is not used as a value', () => {
    expect(() => shaped('test.unused', ['a', 'b'], (a: string, _b: string) => db.selectFrom('command').select('id').where('id', '=', a))).toThrow(/not used/);
  });
});
