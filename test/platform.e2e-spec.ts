import { startTestEnv, type TestEnv } from './harness.js';

describe('platform: health, errors, auth', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ worker: false });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('answers liveness and readiness without a key', async () => {
    await env.http().get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await env.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', error: {} });
    expect(ready.body.details).toEqual({ postgres: expect.objectContaining({ status: 'up' }), redis: expect.objectContaining({ status: 'up' }) });
  });

  it('refuses a request without a key with a 401 problem', async () => {
    const res = await env.http().get('/v1/commands').expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, code: 'unauthorized', title: expect.any(String), type: expect.any(String), detail: expect.any(String) });
  });

  it('refuses an unknown key', async () => {
    const res = await env.http().get('/v1/commands').set('Authorization', 'Bearer cbk_nope').expect(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await env.http().get('/v1/nothing-here').expect(404);
    expect(res.body.code).toBe('not_found');
  });
});
