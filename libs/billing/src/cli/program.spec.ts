import { CommanderError } from 'commander';
import { progressPosition, RECONCILIATION_PHASES } from './actions.js';
import { buildProgram, type CliActions } from './program.js';

/** Parses argv with recording actions; commander's errors are thrown instead of exiting. */
async function parse(...argv: string[]) {
  const calls: { action: keyof CliActions; options?: unknown }[] = [];
  const record = (action: keyof CliActions) => async (options?: unknown) => void calls.push({ action, options });
  const program = buildProgram({ createClinic: record('createClinic'), createKey: record('createKey'), reconcile: record('reconcile'), verify: record('verify') });
  const errors: string[] = [];
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeErr: (s) => void errors.push(s), writeOut: () => undefined });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { calls, error: null as CommanderError | null, errors };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { calls, error, errors };
  }
}

const CLINIC = '01a21341-473d-7712-b8c3-cec365f42950';

describe('CLI argument parsing', () => {
  it('create-clinic: --name required; currency CAD and timezone America/Toronto by default; currency upper-cased', async () => {
    expect((await parse('create-clinic', '--name', 'Harbour Physio')).calls).toEqual([
      { action: 'createClinic', options: { name: 'Harbour Physio', currency: 'CAD', timezone: 'America/Toronto' } },
    ]);
    expect((await parse('create-clinic', '--name', 'X', '--currency', 'usd', '--timezone', 'Europe/Paris')).calls[0].options).toEqual({ name: 'X', currency: 'USD', timezone: 'Europe/Paris' });
    const missing = await parse('create-clinic', '--currency', 'CAD');
    expect(missing.calls).toEqual([]);
    expect(missing.error?.code).toBe('commander.missingMandatoryOptionValue');
    expect((await parse('create-clinic', '--name', 'X', '--currency', 'dollars')).error?.code).toBe('commander.invalidArgument');
  });

  it('create-key: a clinic UUID, a role among the four, a name', async () => {
    expect((await parse('create-key', '--clinic', CLINIC.toUpperCase(), '--role', 'front_desk', '--name', 'Desk')).calls).toEqual([
      { action: 'createKey', options: { clinic: CLINIC, role: 'front_desk', name: 'Desk' } },
    ]);
    const badRole = await parse('create-key', '--clinic', CLINIC, '--role', 'admin', '--name', 'Desk');
    expect(badRole.error?.code).toBe('commander.invalidArgument');
    expect(badRole.errors.join('')).toMatch(/owner, billing, front_desk, online/);
    expect((await parse('create-key', '--clinic', 'clinic-1', '--role', 'owner', '--name', 'Desk')).error?.code).toBe('commander.invalidArgument');
    expect((await parse('create-key', '--clinic', CLINIC, '--name', 'Desk')).error?.code).toBe('commander.missingMandatoryOptionValue');
  });

  it('reconcile: a clinic, an optional real date, a timeout, progress on by default', async () => {
    expect((await parse('reconcile', '--clinic', CLINIC)).calls[0].options).toEqual({ clinic: CLINIC, timeout: 600, progress: true });
    expect((await parse('reconcile', '--clinic', CLINIC, '--as-of', '2026-11-24', '--timeout', '30', '--no-progress')).calls[0].options).toEqual({
      clinic: CLINIC,
      asOf: '2026-11-24',
      timeout: 30,
      progress: false,
    });
    expect((await parse('reconcile', '--clinic', CLINIC, '--as-of', '2026-02-30')).error?.code).toBe('commander.invalidArgument');
    expect((await parse('reconcile', '--clinic', CLINIC, '--timeout', '0')).error?.code).toBe('commander.invalidArgument');
  });

  it('verify takes nothing; an unknown command or argument is refused', async () => {
    expect((await parse('verify')).calls).toEqual([{ action: 'verify' }]);
    expect((await parse('verify', 'now')).error?.code).toBe('commander.excessArguments');
    expect((await parse('frobnicate')).error?.code).toBe('commander.unknownCommand');
  });
});

describe('reconcile progress bar position', () => {
  it("follows the reconciliation's phases, or explicit counts when a handler gives them", () => {
    const last = RECONCILIATION_PHASES.length - 1;
    expect(progressPosition(null)).toEqual({ value: 0, total: last, label: 'queued' });
    expect(progressPosition({ phase: 'membership_cycles', purchasesDone: 40 })).toEqual({ value: 0, total: last, label: 'membership_cycles (40 memberships)' });
    expect(progressPosition({ phase: 'expiry' })).toMatchObject({ value: 2, total: last });
    expect(progressPosition({ phase: 'done' })).toMatchObject({ value: last, total: last });
    expect(progressPosition({ phase: 'billing', done: 30, total: 120 })).toEqual({ value: 30, total: 120, label: 'billing' });
  });
});
