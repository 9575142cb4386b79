import request from 'supertest';
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { bearer, createClinic, type TestClinic } from './helpers.js';
import { Fixtures } from './fixtures.js';

/** The value of one sample of a Prometheus text exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('metrics: /metrics of the API and of the worker', () => {
  let env: TestEnv;
  let clinic: TestClinic;
  let f: Fixtures;
  beforeAll(async () => {
    env = await startTestEnv();
    clinic = await createClinic(env);
    f = new Fixtures(env, clinic);
  });
  afterAll(async () => {
    await env?.close();
  });

  const apiMetrics = async () => {
    const res = await env.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };
  const workerMetrics = async () => (await request(env.worker!.getHttpServer()).get('/metrics').expect(200)).text;

  it("counts a redemption in the worker's registry: by type and final status, with its latency and job duration", async () => {
    const labels = { type: 'redemption', status: 'succeeded' };
    const before = await workerMetrics();
    const massage = await f.service();
    const plan = await f.packagePlan(massage.id, 5, 50000);
    const patient = await f.patient();
    const purchase = await f.paidPurchase(patient.id, plan.id);
    const visit = await f.visitInvoice(patient.id, massage.id);
    expect((await f.redeem({ ...visit, purchaseId: purchase.id })).body.status).toBe('succeeded');
    const rejected = await f.redeem({ ...visit, purchaseId: purchase.id });
    expect(rejected.body.status).toBe('rejected');

    // The worker records an outcome just after it commits: give it a moment.
    let after = await workerMetrics();
    for (let i = 0; i < 40 && sample(after, 'clinic_billing_commands_total', { type: 'redemption', status: 'rejected' }) < 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await workerMetrics();
    }
    expect(sample(after, 'clinic_billing_commands_total', labels) - sample(before, 'clinic_billing_commands_total', labels)).toBe(1);
    expect(sample(after, 'clinic_billing_commands_total', { type: 'redemption', status: 'rejected' })).toBe(1);
    expect(sample(after, 'clinic_billing_command_latency_seconds_count', labels)).toBe(1);
    expect(sample(after, 'clinic_billing_job_duration_seconds_count', { queue: 'commands', outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/clinic_billing_queue_jobs\{queue="commands",state="waiting",app="worker"\} \d+/);
    expect(after).toContain('clinic_billing_reconciliation_progress_ratio');
    expect(after).toMatch(/clinic_billing_process_cpu_seconds_total\{app="worker"\}/);
    // Worker metrics stay in the worker's registry.
    expect(await apiMetrics()).not.toContain('clinic_billing_commands_total');
  });

  it('times HTTP requests by route pattern and status, never by raw URL', async () => {
    const massage = await f.service('Facial', 9000);
    await env.http().get(`/v1/services/${massage.id}`).set(bearer(clinic.keys.owner)).expect(200);
    await env.http().get('/v1/services/00000000-0000-7000-8000-000000000000').set(bearer(clinic.keys.owner)).expect(404);
    await env.http().get('/v1/no-such-route').expect(404);
    const text = await apiMetrics();
    const name = 'clinic_billing_http_request_duration_seconds_count';
    expect(sample(text, name, { method: 'GET', route: '/v1/services/:id', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, name, { method: 'GET', route: '/v1/services/:id', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, name, { method: 'POST', route: '/v1/redemptions', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, name, { method: 'GET', route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(massage.id);
    expect(text).toMatch(/clinic_billing_queue_jobs\{queue="commands",state="completed",app="api"\} \d+/);
  });

  it('serves the worker its own health checks', async () => {
    const worker = request(env.worker!.getHttpServer());
    await worker.get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await worker.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', error: {} });
    expect(ready.body.details).toEqual({
      postgres: expect.objectContaining({ status: 'up' }),
      redis: expect.objectContaining({ status: 'up' }),
      jobs: { status: 'up', state: 'taking' },
    });
  });

  it('reports a draining worker as not ready (503), naming the check that is down', async () => {
    const { JobDrain } = await import('../apps/worker/src/health/job-drain.service.js');
    const drain = env.worker!.get(JobDrain);
    drain.draining = true;
    try {
      const ready = await request(env.worker!.getHttpServer()).get('/health/ready').expect(503);
      expect(ready.body).toMatchObject({ status: 'error', error: { jobs: { status: 'down', state: 'draining' } } });
    } finally {
      drain.draining = false;
    }
  });

  it('runs a second API and worker in the same process without "metric already registered"', async () => {
    const { createApiApp } = await import('../apps/api/src/bootstrap.js');
    const { createWorkerApp } = await import('../apps/worker/src/bootstrap.js');
    const api = await createApiApp(env.config, { logger: false });
    const worker = await createWorkerApp(env.config, { logger: false });
    try {
      await api.init();
      await worker.init();
      await request(api.getHttpServer()).get('/metrics').expect(200);
      await request(worker.getHttpServer()).get('/metrics').expect(200);
    } finally {
      await worker.close();
      await api.close();
    }
  });

  it('wants Bearer METRICS_TOKEN when one is configured', async () => {
    const { createApiApp } = await import('../apps/api/src/bootstrap.js');
    const { loadConfig } = await import('@app/billing');
    const config = loadConfig({ ...env.config, METRICS_TOKEN: 'scrape-token-0123456789' } as unknown as NodeJS.ProcessEnv);
    const api = await createApiApp(config, { logger: false });
    try {
      await api.init();
      const res = await request(api.getHttpServer()).get('/metrics').expect(401);
      expect(res.body.code).toBe('unauthorized');
      await request(api.getHttpServer()).get('/metrics').set(bearer(ADMIN_TOKEN)).expect(401);
      await request(api.getHttpServer()).get('/metrics').set(bearer('scrape-token-0123456789')).expect(200);
    } finally {
      await api.close();
    }
  });
});
