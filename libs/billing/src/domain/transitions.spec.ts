import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INVOICE_STATUSES } from './invoice.js';
import { PURCHASE_STATUSES } from './purchase-status.js';
import { COMMAND_STATUSES, IllegalTransitionError, TRANSITIONS, allowedFrom, assertTransition, canTransition, type StatusKind } from './transitions.js';

const entities = join(dirname(fileURLToPath(import.meta.url)), '..', 'entities');
/** The statuses an entity's check constraint admits: `status in ('a', 'b')`. */
const checked = (file: string) => [...readFileSync(join(entities, file), 'utf8').match(/status in \(([^)]*)\)/)![1].matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);

const LISTS: Record<StatusKind, readonly string[]> = { purchase: PURCHASE_STATUSES, invoice: INVOICE_STATUSES, command: COMMAND_STATUSES };

describe('status transitions', () => {
  it.each(Object.keys(LISTS) as StatusKind[])('the %s table has a row for every status, and moves only to statuses', (kind) => {
    const table = TRANSITIONS[kind] as Record<string, readonly string[]>;
    expect(Object.keys(table).sort()).toEqual([...LISTS[kind]].sort());
    for (const to of Object.values(table).flat()) expect(LISTS[kind]).toContain(to);
  });

  it("the tables cover the entities' check constraints", () => {
    expect(checked('purchase.entity.ts').sort()).toEqual([...PURCHASE_STATUSES].sort());
    expect(checked('invoice.entity.ts').sort()).toEqual([...INVOICE_STATUSES].sort());
  });

  it('refuses an illegal transition with a programming error naming it', () => {
    expect(() => assertTransition('purchase', 'cancelled', 'active')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('purchase', 'cancelled', 'active')).toThrow('Illegal purchase status transition cancelled → active');
    expect(() => assertTransition('invoice', 'void', 'paid')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('command', 'succeeded', 'running')).toThrow('Illegal command status transition succeeded → running');
    expect(() => assertTransition('purchase', 'active', 'exhausted')).not.toThrow();
  });

  it("today's writers' moves are listed", () => {
    const moves: [StatusKind, string, string][] = [
      ['purchase', 'active', 'exhausted'], // redemption, transfer
      ['purchase', 'expired', 'exhausted'], // a redemption dated within validity
      ['purchase', 'exhausted', 'active'], // a transfer's target
      ['purchase', 'active', 'expired'], // reconciliation
      ['purchase', 'active', 'cancelled'], // cancellation, refund, scheduled end
      ['invoice', 'open', 'paid'],
      ['invoice', 'open', 'void'],
      ['invoice', 'paid', 'void'], // deleting a free purchase
      ['command', 'queued', 'running'],
      ['command', 'running', 'running'],
      ['command', 'running', 'succeeded'],
      ['command', 'running', 'rejected'],
      ['command', 'running', 'failed'],
      ['command', 'queued', 'failed'],
      ['command', 'failed', 'queued'], // retry
    ];
    for (const [kind, from, to] of moves) expect(canTransition(kind, from as never, to as never)).toBe(true);
  });

  it('final statuses are final', () => {
    expect(TRANSITIONS.purchase.cancelled).toEqual([]);
    expect(TRANSITIONS.invoice.void).toEqual([]);
    expect(TRANSITIONS.command.succeeded).toEqual([]);
    expect(TRANSITIONS.command.rejected).toEqual([]);
  });

  it('allowedFrom lists exactly the statuses the table lets reach the target', () => {
    expect(allowedFrom('purchase', 'exhausted').sort()).toEqual(['active', 'expired']);
    expect(allowedFrom('command', 'running').sort()).toEqual(['queued', 'running']);
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(LISTS) as StatusKind[])), fc.nat(), fc.nat(), (kind, i, j) => {
        const list = LISTS[kind];
        const from = list[i % list.length] as never;
        const to = list[j % list.length] as never;
        const listed = (TRANSITIONS[kind] as Record<string, readonly string[]>)[from].includes(to);
        expect(allowedFrom(kind, to).includes(from)).toBe(listed);
        // Staying is no move; anything else must be listed.
        expect(canTransition(kind, from, to)).toBe(from === to || listed);
        if (!canTransition(kind, from, to)) expect(() => assertTransition(kind, from, to)).toThrow(IllegalTransitionError);
      }),
    );
  });
});
