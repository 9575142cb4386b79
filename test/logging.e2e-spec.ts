import '@nestjs/common';
import '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import request from 'supertest';
import { ADMIN_TOKEN } from './harness.js';
import { bearer, idem } from './helpers.js';
import { useLoggedApps } from './logged-apps.js';

describe('logs: JSON lines, one correlation id from the request to the job, secrets redacted', () => {
  const apps = useLoggedApps('logs');
  const { lines, records } = apps;

  it('never writes an API key, the admin token or a session cookie, and follows X-Request-Id into the worker', async () => {
    const http = () => request(apps.api.getHttpServer());
    const created = await http().post('/v1/clinics').set(bearer(ADMIN_TOKEN)).send({ name: 'Logged Clinic', currency: 'CAD', timezone: 'America/Toronto' }).expect(201);
    const ownerKey: string = created.body.ownerKey;
    const billing = await http().post('/v1/api-keys').set(bearer(ownerKey)).send({ name: 'Billing', role: 'billing' }).expect(201);
    const billingKey: string = billing.body.key;

    // The client's X-Request-Id is echoed; one that is not sane is replaced by a fresh id.
    const echoed = await http().get('/v1/clinic').set(bearer(ownerKey)).set('X-Request-Id', 'req-abc.123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-abc.123');
    const replaced = await http().get('/v1/clinic').set(bearer(ownerKey)).set('X-Request-Id', 'no spaces or "quotes" please').expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const generated = await http().get('/health/ready').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await http().get(`/v1/clinic?key=${billingKey}`).set('Cookie', `cb_dashboard_session=v1.secret-cookie-value; other=1`).set(bearer(billingKey)).expect(200);

    // A command carries the request's id to its row and to the worker's log of the job.
    const command = await http()
      .post('/v1/reconciliations')
      .set(bearer(billingKey))
      .set('Idempotency-Key', idem('log'))
      .set('X-Request-Id', 'corr-reconcile-42')
      .set('Prefer', 'wait=10')
      .send({})
      .expect(200);
    expect(command.headers['x-request-id']).toBe('corr-reconcile-42');
    const { rows } = await apps.db.query('select correlation_id from command where id = $1', [command.body.id]);
    expect(rows[0].correlation_id).toBe('corr-reconcile-42');
    for (let i = 0; i < 40 && !records().some((r) => r.context === 'Jobs' && r.commandId === command.body.id); i++) await new Promise((r) => setTimeout(r, 50));

    // Application code that logs a body or the configuration gets the same redaction.
    const logger = await apps.api.resolve(PinoLogger);
    logger.info({ body: { key: billingKey, ownerKey, apiKey: ownerKey, name: 'kept' }, config: { ADMIN_TOKEN } }, 'a careless log line');

    const all = lines.join('');
    for (const secret of [ownerKey, billingKey, ADMIN_TOKEN, 'secret-cookie-value']) expect(all).not.toContain(secret);
    expect(all).toContain('[Redacted]');

    const logged = records();
    expect(logged.every((r) => typeof r.level === 'string' && typeof r.time === 'string' && typeof r.msg === 'string')).toBe(true);
    const requestLog = logged.find((r) => r.correlationId === 'req-abc.123' && r.res);
    expect(requestLog).toMatchObject({ app: 'api', req: { method: 'GET', url: '/v1/clinic', headers: { authorization: '[Redacted]' } }, res: { statusCode: 200 } });
    expect(requestLog!.clinicId).toBe(created.body.id);
    const withQuery = logged.find((r) => r.req?.url?.startsWith('/v1/clinic?'));
    expect(withQuery!.req).toMatchObject({ url: '/v1/clinic?key=[Redacted]', headers: { cookie: '[Redacted]', authorization: '[Redacted]' } });
    expect(logged.find((r) => r.msg === 'a careless log line')).toMatchObject({ body: { key: '[Redacted]', ownerKey: '[Redacted]', apiKey: '[Redacted]', name: 'kept' }, config: { ADMIN_TOKEN: '[Redacted]' } });
    // The same id in the API's request log and in the worker's line for the job.
    expect(logged.some((r) => r.app === 'api' && r.correlationId === 'corr-reconcile-42' && r.req?.url === '/v1/reconciliations')).toBe(true);
    expect(logged.find((r) => r.context === 'Jobs' && r.commandId === command.body.id)).toMatchObject({ correlationId: 'corr-reconcile-42', type: 'reconciliation', status: 'succeeded' });
    // Health checks succeed quietly.
    expect(logged.some((r) => r.req?.url === '/health/ready')).toBe(false);
  });
});
