import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// Docker is not on the development machines: the container files are checked by reading them.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
/** The node flags and script of `npm run start:api` / `start:worker`, e.g. ['--max-old-space-size=160', …]. */
const nodeFlagsOf = (script: string): string[] =>
  (JSON.parse(read('package.json')).scripts[script] as string).split(/\s+/).filter((arg) => arg.startsWith('--'));

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions in order, continuation lines joined, comments dropped. */
function dockerfile(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return logical
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of each stage, by stage name. */
function stages(instructions: Instruction[]): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  let current: Instruction[] = [];
  for (const i of instructions) {
    if (i.keyword === 'FROM') {
      current = [i];
      out.set(/\bAS\s+(\S+)/i.exec(i.args)?.[1] ?? `stage${out.size}`, current);
    } else {
      current.push(i);
    }
  }
  return out;
}

describe('container files', () => {
  describe('Dockerfile', () => {
    const instructions = dockerfile(read('Dockerfile'));
    const byStage = stages(instructions);
    const runtime = [...byStage.values()].at(-1)!;
    const build = byStage.get('build')!;

    it('builds in stages, every one on node:24-slim', () => {
      const froms = instructions.filter((i) => i.keyword === 'FROM');
      expect(froms.length).toBeGreaterThanOrEqual(2);
      for (const from of froms) expect(from.args).toMatch(/^node:24-slim(\s|$)/);
      expect(build).toBeDefined();
    });

    it('compiles with the dev dependencies in the build stage', () => {
      const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      expect(runs.some((r) => /\bnpm ci\b/.test(r) && !/--omit=dev/.test(r))).toBe(true);
      expect(runs.some((r) => /\btsc\b.*-b\b/.test(r))).toBe(true);
    });

    it('installs production dependencies only in the runtime stage, and copies the compiled apps from the build', () => {
      const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      expect(runs.some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
      const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
      for (const dist of ['libs/billing/dist', 'apps/api/dist', 'apps/worker/dist']) {
        expect(copies.some((c) => c.includes('--from=build') && c.includes(dist))).toBe(true);
      }
      // Never the `node` dev dependency at run time: the image's own node runs the app.
      for (const i of runtime) expect(i.args).not.toMatch(/node_modules\/\.bin\/node|npx |npm (run|start)/);
      expect(runtime.find((i) => i.keyword === 'ENV')?.args).toMatch(/NODE_ENV=production/);
    });

    it('runs as a non-root user, with node as PID 1 and a health check', () => {
      const users = runtime.filter((i) => i.keyword === 'USER');
      expect(users).toHaveLength(1);
      expect(users[0].args).not.toMatch(/^(root|0)(:|$)/);
      const cmd = runtime.find((i) => i.keyword === 'CMD')!;
      expect(runtime.indexOf(users[0])).toBeLessThan(runtime.indexOf(cmd));
      expect(JSON.parse(cmd.args)).toEqual(['node', ...nodeFlagsOf('start:api'), 'apps/api/dist/main.js']);
      expect(runtime.find((i) => i.keyword === 'HEALTHCHECK')?.args).toMatch(/health\/ready/);
    });

    it('keeps local and built files out of the build context', () => {
      const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
      for (const entry of ['node_modules', '**/dist', '.git', '.env']) expect(ignored).toContain(entry);
    });

    it('needs at run time only packages that `npm ci --omit=dev` installs', () => {
      const pkg = JSON.parse(read('package.json'));
      // What `npm ci --omit=dev` installs: the lock's packages not marked dev (transitive ones included).
      const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
      const production = new Set(
        Object.entries(lock.packages)
          .filter(([path, entry]) => path.startsWith('node_modules/') && !path.slice(13).includes('node_modules/') && !entry.dev)
          .map(([path]) => path.slice('node_modules/'.length)),
      );
      const builtins = new Set(builtinModules);
      const missing = new Set<string>();
      const walk = (dir: string): string[] =>
        readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : []));
      for (const file of ['apps/api/src', 'apps/worker/src', 'libs/billing/src'].flatMap(walk)) {
        for (const [, specifier] of read(file).matchAll(/^import (?!type\b)[^;]*?from '([^'.][^']*)'/gms)) {
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
          if (name === '@app/billing' || name.startsWith('node:') || builtins.has(name)) continue;
          if (!production.has(name)) missing.add(`${name} (${file})`);
        }
      }
      expect([...missing]).toEqual([]);
      expect(production.has('node')).toBe(false);
      expect(Object.keys(pkg.dependencies).every((name) => production.has(name))).toBe(true);
    });
  });

  describe('docker-compose.yml', () => {
    const text = read('docker-compose.yml');
    const compose = parse(text, { merge: true }) as { services: Record<string, any> };
    const { services } = compose;
    const secrets = ['POSTGRES_PASSWORD', 'DB_OWNER_PASSWORD', 'DB_APP_PASSWORD', 'REDIS_PASSWORD', 'ADMIN_TOKEN', 'SESSION_SECRET', 'METRICS_TOKEN'];
    const values = Object.fromEntries(secrets.map((name) => [name, `${name.toLowerCase()}-0123456789abcdef0123456789abcdef`]));
    /** The compose file as `docker compose config` would see it with this environment. */
    const resolved = (env: Record<string, string>) => parse(interpolate(text, env), { merge: true }) as { services: Record<string, any> };

    it('has postgres, redis (never evicting), a one-shot migrate, the API and two workers', () => {
      expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'migrate', 'api', 'worker']));
      expect(services.redis.command.join(' ')).toMatch(/--maxmemory-policy noeviction/);
      expect(services.migrate.command).toEqual(['node', 'libs/billing/dist/database/cli.js', 'migrate']);
      expect(services.migrate.restart).toBe('no');
      expect(services.worker.deploy.replicas).toBe(2);
      expect(services.worker.ports).toBeUndefined(); // two replicas cannot share a host port
    });

    it('gives every long-running service a health check', () => {
      for (const name of ['postgres', 'redis', 'api', 'worker']) {
        expect({ name, test: services[name].healthcheck?.test?.[0] }).toEqual({ name, test: 'CMD' });
      }
      expect(services.api.healthcheck.test.join(' ')).toMatch(/3000\/health\/ready/);
      expect(services.worker.healthcheck.test.join(' ')).toMatch(/3001\/health\/ready/);
      // Over TCP, so not ready while the first start's init scripts run (socket only then).
      expect(services.postgres.healthcheck.test).toEqual(expect.arrayContaining(['pg_isready', '-h', '127.0.0.1']));
    });

    it('starts the apps after the migration succeeded and the stores are healthy', () => {
      for (const name of ['api', 'worker']) {
        expect(services[name].depends_on).toEqual({
          migrate: { condition: 'service_completed_successfully' },
          postgres: { condition: 'service_healthy' },
          redis: { condition: 'service_healthy' },
        });
        expect(services[name].build).toBe('.');
        // The same node flags (the heap's size) as `npm start`.
        expect(services[name].command).toEqual(['node', ...nodeFlagsOf(`start:${name}`), `apps/${name}/dist/main.js`]);
      }
      expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(services.worker.environment).toMatchObject({ WORKER_PORT: '3001', WORKER_HOST: '0.0.0.0' });
      expect(services.api.ports).toEqual(['3000:3000']);
    });

    it('publishes no Postgres or Redis port beyond 127.0.0.1', () => {
      for (const name of ['postgres', 'redis']) {
        for (const port of services[name].ports ?? []) expect({ name, port: String(port) }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
        expect(services[name].network_mode).toBeUndefined(); // `host` would publish everything
      }
    });

    it('refuses to start without each password and secret, and uses none of development\'s defaults', () => {
      expect(() => resolved(values)).not.toThrow();
      for (const name of secrets) {
        const { [name]: _left, ...rest } = values;
        expect(() => resolved(rest)).toThrow(name);
        expect(() => resolved({ ...rest, [name]: '' })).toThrow(name); // `:?` refuses empty too
      }
      expect(text).not.toMatch(/POSTGRES_HOST_AUTH_METHOD|trust|local-admin-token|DEVELOPMENT_ADMIN_TOKEN/);
      for (const name of ['migrate', 'api', 'worker']) {
        expect(services[name].environment).toMatchObject({
          NODE_ENV: 'production',
          ADMIN_TOKEN: expect.stringMatching(/^\$\{ADMIN_TOKEN:\?/),
          SESSION_SECRET: expect.stringMatching(/^\$\{SESSION_SECRET:\?/),
          METRICS_TOKEN: expect.stringMatching(/^\$\{METRICS_TOKEN:\?/),
        });
      }
    });

    it('runs Redis with a password, which the apps and the health check use', () => {
      const { services: s } = resolved(values);
      const command: string[] = s.redis.command;
      expect(command[command.indexOf('--requirepass') + 1]).toBe(values.REDIS_PASSWORD);
      expect(s.redis.environment.REDISCLI_AUTH).toBe(values.REDIS_PASSWORD); // what redis-cli ping sends
      for (const name of ['migrate', 'api', 'worker']) {
        const url = new URL(s[name].environment.REDIS_URL);
        expect({ name, host: url.host, password: decodeURIComponent(url.password) }).toEqual({ name, host: 'redis:6379', password: values.REDIS_PASSWORD });
      }
    });

    it('gives Postgres a password, migrates as the owner and runs the apps as the app role of deploy/postgres/roles.sql', () => {
      const { services: s } = resolved(values);
      const pgEnv = s.postgres.environment;
      expect(pgEnv.POSTGRES_PASSWORD).toBe(values.POSTGRES_PASSWORD);
      // The init script and the SQL it runs are mounted where the image and the script look for them.
      const volumes: string[] = s.postgres.volumes;
      expect(volumes).toContain('./deploy/postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro');
      const sqlMount = volumes.find((v) => v.startsWith('./deploy/postgres/roles.sql:'))!;
      expect(read('deploy/postgres/init-roles.sh')).toContain(`--file ${sqlMount.split(':')[1]}`);
      // Every variable the script reads is set on the postgres service.
      for (const [, variable] of read('deploy/postgres/init-roles.sh').matchAll(/"\$(DB_\w+)"/g)) expect(pgEnv[variable]).toEqual(expect.any(String));
      expect(pgEnv.DB_OWNER_USER).not.toBe(pgEnv.DB_APP_USER);
      expect(pgEnv.DB_OWNER_PASSWORD).toBe(values.DB_OWNER_PASSWORD);
      expect(pgEnv.DB_APP_PASSWORD).toBe(values.DB_APP_PASSWORD);

      const database = (name: string) => {
        const url = new URL(s[name].environment.DATABASE_URL);
        return { name, user: url.username, password: decodeURIComponent(url.password), host: url.host, database: url.pathname.slice(1) };
      };
      const at = { host: 'postgres:5432', database: pgEnv.DB_NAME };
      expect(database('migrate')).toEqual({ name: 'migrate', user: pgEnv.DB_OWNER_USER, password: values.DB_OWNER_PASSWORD, ...at });
      for (const name of ['api', 'worker']) expect(database(name)).toEqual({ name, user: pgEnv.DB_APP_USER, password: values.DB_APP_PASSWORD, ...at });

      // What the roles may do (test/database-roles.e2e-spec.ts runs this file against Postgres).
      const sql = read('deploy/postgres/roles.sql');
      expect(sql.match(/CREATE ROLE :"\w+" LOGIN PASSWORD :'\w+' NOSUPERUSER NOCREATEDB NOCREATEROLE/g)).toHaveLength(2);
      expect(sql).toMatch(/CREATE DATABASE :"database" OWNER :"owner_role"/);
      expect(sql).toMatch(/ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role"/);
      expect(sql).not.toMatch(/GRANT ALL|GRANT CREATE|SUPERUSER(?<!NOSUPERUSER)|OWNER TO :"app_role"/);
    });
  });
});

describe('CI on a fresh machine', () => {
  const ciCommands = read('.ci/run')
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.startsWith('npm '));

  it('installs nothing with apt: the browser comes from npm', () => {
    expect(read('.ci/run')).not.toMatch(/apt(-get)?\s+(update|install)/);
    expect(JSON.parse(read('package.json')).devDependencies['@sparticuz/chromium']).toEqual(expect.any(String));
    // No test or benchmark launches a system browser unless CHROMIUM_PATH names one.
    const walk = (dir: string): string[] =>
      readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const system = ['test', 'bench'].flatMap(walk).filter((file) => /['"`]\/usr\/(local\/)?bin\/(chromium|google-chrome)/.test(read(file)));
    expect(system).toEqual([]);
  });

  it('runs npm ci, build, migrate, lint (when there is a lint script), typecheck, then npm test', () => {
    const lint = JSON.parse(read('package.json')).scripts.lint ? ['npm run lint'] : [];
    expect(ciCommands).toEqual(['npm ci', 'npm run build', 'npm run db:migrate', ...lint, 'npm run typecheck', 'npm test']);
  });

  it('type-checks the tests and the benchmark too', () => {
    expect(JSON.parse(read('package.json')).scripts.typecheck).toBe('tsc -p tsconfig.check.json');
    const check = JSON.parse(read('tsconfig.check.json'));
    expect(check.include).toEqual(expect.arrayContaining(['test/**/*.ts', 'bench/**/*.ts']));
    expect(check.compilerOptions.noEmit).toBe(true);
  });
});

/**
 * Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?message}` (what this file
 * uses); `$$` is a literal `$`. Throws the way `docker compose config` refuses.
 */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_match, name?: string, kind?: string, argument = '') => {
    if (!name) return '$';
    const value = env[name];
    if (kind === '?' && !value) throw new Error(`required variable ${name} is missing a value: ${argument}`);
    if (kind === '-' && !value) return argument;
    return value ?? '';
  });
}
