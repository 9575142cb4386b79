// `npm run cli -- <command>`: create-clinic, create-key, reconcile, verify (see program.ts).
import { CommanderError } from 'commander';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config/app-config.js';
import { explainConnectionError } from '../database/connection-errors.js';
import { ormConfig } from '../database/orm-config.js';
import { cliActions } from './actions.js';
import { buildProgram } from './program.js';

async function main(): Promise<void> {
  const config = loadConfig();
  let orm: MikroORM | null = null;
  const program = buildProgram(
    cliActions({
      config,
      // Connected on first use, so --help and argument errors need no database.
      em: async () => (orm ??= await MikroORM.init(ormConfig({ databaseUrl: config.DATABASE_URL, poolSize: 2 }))).em,
      io: { out: (line) => console.log(line), err: (line) => console.error(line), isTty: Boolean(process.stdout.isTTY) },
      exit: (code) => (process.exitCode = code),
    }),
  );
  try {
    await program.parseAsync(process.argv);
  } finally {
    await (orm as MikroORM | null)?.close(true);
  }
}

main().catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(explainConnectionError(error));
  process.exit(1);
});
