import { Command, InvalidArgumentError, Option } from 'commander';
import { isIsoDate } from '../domain/dates.js';
import { ROLES } from '../entities/api-key.entity.js';

// The operator's CLI (`npm run cli -- <command>`): argument parsing only. The actions are
// injected, so tests parse without a database and main.ts wires the real ones.

export interface CreateClinicOptions {
  name: string;
  currency: string;
  timezone: string;
}
export interface CreateKeyOptions {
  clinic: string;
  role: (typeof ROLES)[number];
  name: string;
}
export interface ReconcileOptions {
  clinic: string;
  asOf?: string;
  timeout: number;
  progress: boolean;
}

export interface CliActions {
  createClinic(options: CreateClinicOptions): Promise<void>;
  createKey(options: CreateKeyOptions): Promise<void>;
  reconcile(options: ReconcileOptions): Promise<void>;
  verify(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuid(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError('expected a clinic id (UUID)');
  return value.toLowerCase();
}

function isoDate(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  return value;
}

function currency(value: string): string {
  const code = value.toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new InvalidArgumentError('expected an ISO 4217 currency code such as CAD');
  return code;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of seconds ≥ 1');
  return n;
}

export function buildProgram(actions: CliActions): Command {
  const program = new Command('clinic-billing')
    .description('Operator commands for Clinic Billing (reads DATABASE_URL, REDIS_URL, QUEUE_PREFIX)')
    .showHelpAfterError()
    .allowExcessArguments(false);

  program
    .command('create-clinic')
    .description('Create a clinic and print its owner API key (shown once)')
    .requiredOption('--name <name>', 'clinic name')
    .addOption(new Option('--currency <code>', 'ISO 4217 currency').default('CAD').argParser(currency))
    .option('--timezone <zone>', 'IANA time zone', 'America/Toronto')
    .action((options: CreateClinicOptions) => actions.createClinic(options));

  program
    .command('create-key')
    .description("Create an API key for a clinic and print it (shown once)")
    .requiredOption('--clinic <id>', 'clinic id', uuid)
    .addOption(new Option('--role <role>', 'role of the key').choices(ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'name shown in key listings')
    .action((options: CreateKeyOptions) => actions.createKey(options));

  program
    .command('reconcile')
    .description("Run a clinic's reconciliation now (a queued command; a worker must be running) and show its progress")
    .requiredOption('--clinic <id>', 'clinic id', uuid)
    .option('--as-of <date>', "reconcile as of this date, today or earlier unless ALLOW_FUTURE_AS_OF=true (default: today in the clinic's time zone)", isoDate)
    .option('--timeout <seconds>', 'stop waiting after this long (the command carries on)', positiveSeconds, 600)
    .option('--no-progress', 'no progress bar, one line per change')
    .action((options: ReconcileOptions) => actions.reconcile(options));

  program
    .command('verify')
    .description("Check the whole database against the ledger's invariants (exit code 1 when a check fails)")
    .action(() => actions.verify());

  return program;
}
