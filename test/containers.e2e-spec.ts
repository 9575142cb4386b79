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
    const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, any> };
    const { services } = compose;

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
    });

    it('starts the apps after the migration succeeded and the stores are healthy', () => {
      for (const name of ['api', 'worker']) {
        expect(services[name].depends_on).toEqual({
          migrate: { condition: 'service_completed_successfully' },
          postgres: { condition: 'service_healthy' },
          redis: { condition: 'service_healthy' },
        });
        expect(services[name].build).toBe('.');
        expect(services[name].environment).toMatchObject({
          NODE_ENV: 'production',
          DATABASE_URL: expect.stringMatching(/^postgres:\/\/[^@]+@postgres:5432\//),
          REDIS_URL: 'redis://redis:6379',
          ADMIN_TOKEN: expect.any(String),
        });
        // The same node flags (the heap's size) as `npm start`.
        expect(services[name].command).toEqual(['node', ...nodeFlagsOf(`start:${name}`), `apps/${name}/dist/main.js`]);
      }
      expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(services.worker.environment).toMatchObject({ WORKER_PORT: '3001', WORKER_HOST: '0.0.0.0' });
      expect(services.api.ports).toEqual(['3000:3000']);
    });
  });
});
