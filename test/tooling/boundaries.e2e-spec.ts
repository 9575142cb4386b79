// The layout's boundaries are ESLint rules (eslint.config.js): show that each one catches a breach.
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function errorsOf(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layout boundaries', () => {
  it('keeps domain/ free of Nest, the ORM, Redis and the rest of the library', async () => {
    const breaches: Array<[string, string]> = [['Injectable', '@nestjs/common'], ['EntityManager', '@mikro-orm/postgresql'], ['Redis', 'ioredis'], ['Kysely', 'kysely'], ['Command', '../entities/command.entity.js']];
    for (const [name, from] of breaches) {
      expect(await errorsOf('libs/billing/src/domain/breach.ts', `import { ${name} } from '${from}';\nexport const x = ${name};\n`)).toEqual([expect.stringMatching(/^no-restricted-imports: .*domain/)]);
    }
    expect(await errorsOf('libs/billing/src/domain/fine.ts', "import { splitEvenly } from './money.js';\nexport const x = splitEvenly;\n")).toEqual([]);
  });

  it('keeps worker-only code out of the API', async () => {
    expect(await errorsOf('apps/api/src/breach.ts', "import { COMMAND_HANDLERS } from '@app/billing/worker';\nexport const x = COMMAND_HANDLERS;\n")).toEqual([expect.stringMatching(/never imports worker-only code/)]);
    expect(await errorsOf('apps/api/src/breach.ts', "import { x } from '../../worker/src/commands.processor.js';\nexport const y = x;\n")).toEqual([expect.stringMatching(/never imports worker-only code/)]);
  });

  it('lets the worker serve no routes but health and metrics', async () => {
    const route = "import { Controller, Get } from '@nestjs/common';\n@Controller('x')\nexport class X {\n  @Get() get() { return 1; }\n}\n";
    expect(await errorsOf('apps/worker/src/routes.ts', route)).toEqual(expect.arrayContaining([expect.stringMatching(/serves no routes/)]));
    expect(await errorsOf('apps/worker/src/health/health.controller.ts', route)).toEqual([]);
  });
});
