import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RATE_LIMIT = 10;
const AUTH_FAILURES = 6;

/**
 * Two API processes on one database and one Redis: the harness's API inside jest, and a second,
 * compiled one (`node apps/api/dist/main.js`) in a process of its own, sharing nothing in memory.
 * Each limit counts across both.
 */
describe('limits hold across API processes (counters in Redis)', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let second: { child: ChildProcess; lines: string[]; exited: Promise<number | null> } | undefined;
  let secondUrl: string;

  beforeAll(async () => {
    // The compiled apps, as production runs them (incremental: quick when up to date).
    try {
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b'], { cwd: root, stdio: 'pipe' });
    } catch (error) {
      throw new Error(`tsc -b failed (the second API process runs the compiled app):\n${String((error as { stdout?: Buffer }).stdout ?? error)}`, { cause: error });
    }
    const limits = { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES), TRUST_PROXY: 'loopback' };
    env = await startTestEnv({ worker: false, env: limits });
    clinic = await createClinic(env);

    const { config } = env;
    const child = spawn(process.execPath, [join(root, 'apps/api/dist/main.js')], {
      cwd: root,
      env: {
        ...(process.env as Record<string, string>),
        ...limits,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: config.DATABASE_URL,
        REDIS_URL: config.REDIS_URL,
        QUEUE_PREFIX: config.QUEUE_PREFIX,
        ADMIN_TOKEN,
        DB_POOL_SIZE: '4',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const collect = (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    second = { child, lines, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
    const deadline = Date.now() + 30_000;
    let listening: string | undefined;
    while (!(listening = lines.find((l) => l.includes('listening')))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`second API did not start:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    secondUrl = `http://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(listening)![1]}`;
  }, 180_000);

  afterAll(async () => {
    // Only the process this suite started, by its pid.
    if (second && second.child.exitCode === null && second.child.signalCode === null) {
      second.child.kill('SIGTERM');
      const timer = setTimeout(() => second!.child.kill('SIGKILL'), 10_000);
      await second.exited;
      clearTimeout(timer);
    }
    await env?.close();
  });

  /** GET /v1/clinic on the first (even i) or second (odd i) API process. */
  const onEither = (i: number, headers: Record<string, string>) =>
    fetch(`${i % 2 === 0 ? env.baseUrl : secondUrl}/v1/clinic`, { headers }).then(async (res) => ({
      status: res.status,
      remaining: res.headers.get('x-ratelimit-remaining'),
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as { code?: string },
    }));

  it(`RATE_LIMIT_PER_MINUTE=${RATE_LIMIT}: 6 requests to each process, the 11th and 12th get 429`, async () => {
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await onEither(i, bearer(clinic.keys.front_desk)));
    expect(answers.map((a) => a.status)).toEqual([...Array(RATE_LIMIT).fill(200), 429, 429]);
    // One counter: each answer, from either process, counts the other's requests too.
    expect(answers.slice(0, RATE_LIMIT).map((a) => a.remaining)).toEqual(Array.from({ length: RATE_LIMIT }, (_, i) => String(RATE_LIMIT - 1 - i)));
    expect(answers[RATE_LIMIT]!.body.code).toBe('rate_limited');
    expect(Number(answers[RATE_LIMIT + 1]!.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it(`AUTH_FAILURES_PER_MINUTE=${AUTH_FAILURES}: failures sent to both processes add up, and both then refuse the address`, async () => {
    const from = { 'X-Forwarded-For': '198.51.100.7' };
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAILURES + 1; i++) statuses.push((await onEither(i, { ...from, ...bearer(`cbk_${randomBytes(32).toString('base64url')}`) })).status);
    // Three failures on each process are six: the seventh (on the first process) goes over.
    expect(statuses).toEqual([...Array(AUTH_FAILURES).fill(401), 429]);
    // The second process never saw that seventh failure, and refuses the address's valid key too.
    const refused = await onEither(1, { ...from, ...bearer(clinic.keys.billing) });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    // Another address still gets in through either process.
    expect((await onEither(1, { 'X-Forwarded-For': '198.51.100.8', ...bearer(clinic.keys.billing) })).status).toBe(200);
  });
});
