import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { launchBrowser } from './browser.js';
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { idem } from './helpers.js';
import { COMMAND_TYPES } from '@app/billing';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every endpoint of api-v1.md, as OpenAPI paths. */
const ENDPOINTS: [method: string, path: string][] = [
  ['post', '/v1/clinics'], ['get', '/v1/clinic'], ['patch', '/v1/clinic/settings'],
  ['post', '/v1/api-keys'], ['get', '/v1/api-keys'], ['delete', '/v1/api-keys/{id}'],
  ['post', '/v1/services'], ['get', '/v1/services'], ['get', '/v1/services/{id}'],
  ['post', '/v1/plans'], ['get', '/v1/plans'], ['get', '/v1/plans/{id}'], ['patch', '/v1/plans/{id}'],
  ['post', '/v1/patients'], ['get', '/v1/patients'], ['get', '/v1/patients/{id}'], ['patch', '/v1/patients/{id}'],
  ['post', '/v1/families'], ['get', '/v1/families/{id}'],
  ['post', '/v1/patients/{patientId}/purchases'], ['get', '/v1/patients/{patientId}/purchases'], ['get', '/v1/purchases/{id}'], ['delete', '/v1/purchases/{id}'],
  ['post', '/v1/appointments'], ['post', '/v1/appointments/{id}/invoice'],
  ['post', '/v1/invoices'], ['get', '/v1/invoices'], ['get', '/v1/invoices/{id}'], ['post', '/v1/invoices/{id}/lines'], ['delete', '/v1/invoices/{id}/lines/{lineId}'],
  ['get', '/v1/invoices/{id}/redeemable'], ['post', '/v1/invoices/{id}/payments'],
  ['post', '/v1/redemptions'], ['post', '/v1/purchases/{id}/cancellation'], ['post', '/v1/purchases/{id}/refunds'], ['post', '/v1/purchases/{id}/transfers'],
  ['post', '/v1/reconciliations'], ['get', '/v1/commands/{id}'], ['get', '/v1/commands'],
  ['post', '/v1/bookings'], ['get', '/v1/bookings/{id}'], ['get', '/v1/dashboard'],
  ['get', '/health/live'], ['get', '/health/ready'], ['get', '/metrics'],
];
const COMMAND_ENDPOINTS = ['/v1/redemptions', '/v1/purchases/{id}/cancellation', '/v1/purchases/{id}/refunds', '/v1/purchases/{id}/transfers', '/v1/reconciliations'];
const PUBLIC = ['/health/live', '/health/ready', '/metrics'];

// The redemption of the issue, written against the generated types: type-checked with them, then run.
const TYPED_FLOW = `
import type { Client } from 'openapi-fetch';
import type { components, paths } from './api-v1';

type Command = components['schemas']['CommandResponse'];
type Problem = components['schemas']['ProblemDetails'];

function must<T>(answer: { data?: T; error?: unknown; response: Response }, what: string): T {
  if (answer.data === undefined) throw new Error(what + ': ' + answer.response.status + ' ' + JSON.stringify(answer.error));
  return answer.data;
}

export async function redeemThroughTypedClient(clientFor: (token: string) => Client<paths>, adminToken: string, idempotencyKey: string) {
  const admin = clientFor(adminToken);
  const clinic = must(await admin.POST('/v1/clinics', { body: { name: 'Typed Client Clinic', currency: 'CAD', timezone: 'America/Toronto' } }), 'clinic');
  const owner = clientFor(clinic.ownerKey);
  const service = must(await owner.POST('/v1/services', { body: { name: 'Massage 60', price: 12000, durationMinutes: 60 } }), 'service');
  const plan = must(
    await owner.POST('/v1/plans', { body: { kind: 'package', name: '10 massages', price: 100000, items: [{ serviceId: service.id, quantity: 10 }] } }),
    'plan',
  );
  const patient = must(await owner.POST('/v1/patients', { body: { firstName: 'Ada', lastName: 'Lovelace' } }), 'patient');
  const purchase = must(
    await owner.POST('/v1/patients/{patientId}/purchases', { params: { path: { patientId: patient.id } }, body: { planId: plan.id } }),
    'purchase',
  );
  const prepayment: number = purchase.invoices[0].total;
  must(await owner.POST('/v1/invoices/{id}/payments', { params: { path: { id: purchase.invoices[0].id } }, body: { amount: prepayment, method: 'card' } }), 'payment');
  const invoice = must(await owner.POST('/v1/invoices', { body: { patientId: patient.id } }), 'invoice');
  const line = must(await owner.POST('/v1/invoices/{id}/lines', { params: { path: { id: invoice.id } }, body: { serviceId: service.id } }), 'line');
  const answer = await owner.POST('/v1/redemptions', {
    params: { header: { 'Idempotency-Key': idempotencyKey, Prefer: 'wait=10' } },
    body: { invoiceId: invoice.id, lineId: line.id, purchaseId: purchase.id },
  });
  const command: Command = must(answer, 'redemption');
  const polled: Command = must(await owner.GET('/v1/commands/{id}', { params: { path: { id: command.id } } }), 'command');
  const after = must(await owner.GET('/v1/invoices/{id}', { params: { path: { id: invoice.id } } }), 'invoice after');
  const refused = await owner.POST('/v1/services', { body: { name: 'Free massage', price: -1 } });
  const problem: Problem | undefined = refused.error;
  return { status: answer.response.status, command, polled, invoiceStatus: after.status, balanceDue: after.balanceDue, problem };
}
`;

// Must NOT type-check: proof that the check above means something.
const WRONG_FLOW = `
import type { Client } from 'openapi-fetch';
import type { paths } from './api-v1';
export async function wrong(client: Client<paths>) {
  await client.POST('/v1/services', { body: { name: 'Massage', price: 'free' } });
  await client.POST('/v1/redemptions', { body: { invoiceId: 'x', lineId: 'y' } });
}
`;

function typeErrors(dir: string, file: string): string[] {
  const program = ts.createProgram([join(dir, file)], {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    paths: { 'openapi-fetch': [join(root, 'node_modules/openapi-fetch/dist/index.d.mts')] },
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('OpenAPI: /docs, /docs-json and a typed client generated from it', () => {
  let env: TestEnv;
  let doc: any;
  beforeAll(async () => {
    env = await startTestEnv();
    doc = (await env.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('serves the interactive docs and the document without a key', async () => {
    const page = await env.http().get('/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toMatch(/swagger/i);
    expect(doc).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'Clinic Billing API' } });
  });

  it('/docs has a Content-Security-Policy that allows only its own same-origin assets, which it serves; Swagger UI keeps no key in localStorage', async () => {
    const page = await env.http().get('/docs').redirects(1).expect(200);
    const csp = String(page.headers['content-security-policy'] ?? '');
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    // Every script is an asset of /docs (no inline script, which script-src 'self' would block).
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect({ attributes, inline: body.trim() }).toEqual({ attributes: expect.stringMatching(/src=["'][^"']+["']/), inline: '' });
    }
    const assets = [...page.text.matchAll(/(?:src|href)=["']([^"']+\.(?:js|css))["']/g)].map((m) => m[1]);
    expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/), expect.stringMatching(/swagger-ui\.css$/)]));
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const pageUrl = (page as unknown as { redirects?: string[] }).redirects?.at(-1) ?? `${env.baseUrl}/docs`;
      const answer = await env.http().get(new URL(asset, pageUrl).pathname).expect(200);
      expect(answer.headers['content-security-policy']).toBe(csp);
    }
    const init = await env.http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toMatch(/"persistAuthorization":\s*false/);
    expect(init.text).not.toMatch(/"persistAuthorization":\s*true/);
    expect(init.text).toMatch(/"validatorUrl":\s*null/);
  });

  it('Swagger UI renders under that policy in a browser, with no violation, and keeps nothing in localStorage after authorizing', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = browser;
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`${env.baseUrl}/docs`);
      await page.locator('.swagger-ui .info .title').filter({ hasText: 'Clinic Billing API' }).waitFor({ timeout: 15_000 });
      await page.locator('.opblock').first().waitFor();
      // Authorize with a key, as a developer would: it must not be written to localStorage.
      await page.locator('button.authorize').first().click();
      await page.locator('.auth-container input').first().fill('cbk_not_a_real_key');
      await page.locator('.auth-btn-wrapper button.authorize').first().click();
      const stored = await page.evaluate(() => Object.keys(localStorage).map((key) => `${key}=${localStorage.getItem(key)}`));
      expect(stored.filter((entry) => /authorized|cbk_/.test(entry))).toEqual([]);
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('types every string|null request field as a nullable string, lists null in nullable enums, and never puts nullable beside a $ref', () => {
    const bare: string[] = [];
    const beside: string[] = [];
    const enums: string[] = [];
    const walk = (node: any, where: string) => {
      if (!node || typeof node !== 'object') return;
      if (node.type === 'object' && !node.properties && node.additionalProperties === undefined && !node.enum) bare.push(where);
      if (node.nullable && (node.allOf || node.$ref || node.oneOf || node.anyOf)) beside.push(where);
      if (node.nullable && Array.isArray(node.enum) && !node.enum.includes(null)) enums.push(where);
      for (const [key, value] of Object.entries(node)) if (key !== 'enum' && key !== 'example') walk(value, `${where}.${key}`);
    };
    walk(doc.components.schemas, 'schemas');
    expect({ bare, beside, enums }).toEqual({ bare: [], beside: [], enums: [] });
    const { CreatePatientDto, UpdatePatientDto, CreatePaymentDto, PlanResponse, BookingResponse } = doc.components.schemas;
    for (const schema of [CreatePatientDto, UpdatePatientDto]) {
      for (const field of ['email', 'phone', 'dateOfBirth', 'familyId']) expect(schema.properties[field]).toMatchObject({ type: 'string', nullable: true });
    }
    expect(CreatePaymentDto.properties.reference).toMatchObject({ type: 'string', nullable: true });
    expect(PlanResponse.properties.billingInterval.enum).toEqual(['week', 'month', 'year', null]);
    expect(BookingResponse.properties.redemption.anyOf).toEqual([{ $ref: '#/components/schemas/CommandResponse' }, expect.objectContaining({ nullable: true, enum: [null] })]);
  });

  it('types each command request and result per command type, with a discriminator on type', () => {
    const schemas = doc.components.schemas;
    // Every command type of the catalogue, the corrections and the receipt e-mail included.
    const types = [...COMMAND_TYPES];
    expect(types).toEqual(expect.arrayContaining(['redemption', 'reversal', 'invoice_void', 'invoice_refund', 'appointment_cancellation', 'extension', 'pause', 'resume', 'receipt_email']));
    expect(schemas.CommandResponse.discriminator.propertyName).toBe('type');
    expect(Object.keys(schemas.CommandResponse.discriminator.mapping).sort()).toEqual([...types].sort());
    for (const type of types) {
      const ref: string = schemas.CommandResponse.discriminator.mapping[type];
      expect(schemas.CommandResponse.oneOf).toContainEqual({ $ref: ref });
      const schema = schemas[ref.split('/').pop()!];
      expect(schema.properties.type.enum).toEqual([type]);
      expect(schema.required).toEqual(expect.arrayContaining(['id', 'type', 'status', 'request', 'attempts', 'createdAt']));
      for (const part of ['request', 'result']) {
        const target = schema.properties[part].$ref ?? schema.properties[part].allOf?.[0]?.$ref;
        expect({ type, part, target }).toEqual({ type, part, target: expect.stringMatching(/^#\/components\/schemas\/\w+Command(Request|Result)$/) });
      }
    }
    expect(schemas.RedemptionCommandResult.required).toEqual(expect.arrayContaining(['purchaseId', 'coveredAmount', 'invoiceId', 'lineId']));
    expect(schemas.RefundCommandRequest.properties.method.enum).toEqual(expect.arrayContaining(['card', 'cash']));
  });

  it('gives every operation a summary and a declared tag, and documents the problems each can give', () => {
    const declared = new Set(doc.tags.map((t: any) => t.name));
    for (const [method, path] of ENDPOINTS) {
      const op = doc.paths[path][method];
      expect({ path, method, summary: typeof op.summary === 'string' && op.summary.length > 0 }).toEqual({ path, method, summary: true });
      expect(op.tags.length).toBeGreaterThan(0);
      for (const tag of op.tags) expect(declared).toContain(tag);
    }
    expect(doc.servers.length).toBeGreaterThan(0);
    const problems = (method: string, path: string, status: number) => doc.paths[path][method].responses[String(status)]?.description ?? '';
    // From the route: body, role, key, path parameters.
    expect(problems('post', '/v1/redemptions', 400)).toMatch(/validation_failed.*idempotency_key_required/);
    expect(problems('post', '/v1/redemptions', 422)).toMatch(/idempotency_key_reused/);
    expect(problems('post', '/v1/patients', 409)).toMatch(/idempotency_key_in_progress/);
    expect(problems('get', '/v1/commands/{id}', 403)).toBe('');
    expect(problems('post', '/v1/plans', 403)).toMatch(/forbidden/);
    expect(problems('post', '/v1/clinics', 403)).toBe('');
    expect(problems('get', '/health/live', 401)).toBe('');
    // From the services (operations.ts).
    expect(problems('post', '/v1/invoices/{id}/payments', 422)).toMatch(/overpayment/);
    expect(problems('post', '/v1/invoices/{id}/payments', 409)).toMatch(/invoice_not_open/);
    expect(problems('delete', '/v1/invoices/{id}/lines/{lineId}', 409)).toMatch(/line_in_use/);
    expect(problems('delete', '/v1/purchases/{id}', 409)).toMatch(/purchase_in_use/);
    expect(problems('post', '/v1/patients/{patientId}/purchases', 422)).toMatch(/plan_archived/);
  });

  it('covers every endpoint of api-v1.md with request and response schemas', () => {
    const missing = ENDPOINTS.filter(([method, path]) => !doc.paths[path]?.[method]).map(([m, p]) => `${m.toUpperCase()} ${p}`);
    expect(missing).toEqual([]);
    for (const [method, path] of ENDPOINTS) {
      const op = doc.paths[path][method];
      const success = Object.entries(op.responses).filter(([status]) => /^2/.test(status));
      expect({ path, method, success: success.length }).toEqual({ path, method, success: expect.any(Number) });
      expect(success.length).toBeGreaterThan(0);
      for (const [status, response] of success as [string, any][]) {
        if (status === '204') continue;
        const content = response.content ?? {};
        const schema = content['application/json']?.schema ?? content['text/plain']?.schema;
        expect({ path, method, status, schema: Boolean(schema) }).toEqual({ path, method, status, schema: true });
      }
      if (op.requestBody) expect(op.requestBody.content['application/json'].schema).toBeDefined();
      expect(op.responses['500'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
    }
    expect(doc.paths['/v1/purchases/{id}'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/PurchaseResponse' });
    expect(doc.components.schemas.PurchaseResponse.required).toEqual(expect.arrayContaining(['balances', 'history', 'invoices', 'status']));
  });

  it('describes problems with a ProblemDetails schema, validation errors included', () => {
    const problem = doc.components.schemas.ProblemDetails;
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    expect(problem.properties.errors).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/FieldErrorSchema' } });
    expect(problem.properties.code.enum).toEqual(expect.arrayContaining(['validation_failed', 'rate_limited', 'insufficient_balance']));
    const createPlan = doc.paths['/v1/plans'].post.responses;
    for (const status of ['400', '401', '403', '413', '429']) {
      expect(createPlan[status].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/ProblemDetails' });
    }
    expect(createPlan['429'].headers['Retry-After']).toBeDefined();
    expect(doc.paths['/v1/purchases/{id}'].get.responses['404']).toBeDefined();
  });

  it('declares the bearer security scheme on every endpoint but the public ones (marked `security: []`), the operator\'s and metrics\' tokens apart', () => {
    for (const scheme of ['bearer', 'adminToken', 'metricsToken']) expect(doc.components.securitySchemes[scheme]).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [method, path] of ENDPOINTS) {
      const security = doc.paths[path][method].security;
      if (path === '/metrics') expect(security).toEqual([{ metricsToken: [] }, {}]);
      else if (PUBLIC.includes(path)) expect({ path, security }).toEqual({ path, security: [] });
      else if (path === '/v1/clinics') expect(security).toEqual([{ adminToken: [] }]);
      else expect({ path, security }).toEqual({ path, security: [{ bearer: [] }] });
    }
  });

  it('requires Idempotency-Key and documents Prefer and the command answers on command endpoints; other POSTs take the key optionally', () => {
    const header = (op: any, name: string) => op.parameters?.filter((p: any) => p.in === 'header' && p.name === name) ?? [];
    for (const path of COMMAND_ENDPOINTS) {
      const op = doc.paths[path].post;
      expect(header(op, 'Idempotency-Key')).toEqual([expect.objectContaining({ required: true })]);
      expect(header(op, 'Prefer')).toHaveLength(1);
      for (const status of ['200', '202']) {
        expect(op.responses[status].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CommandResponse' });
        expect(op.responses[status].headers.Location).toBeDefined();
      }
    }
    for (const [method, path] of ENDPOINTS.filter(([m, p]) => m === 'post' && !COMMAND_ENDPOINTS.includes(p))) {
      expect({ path, headers: header(doc.paths[path][method], 'Idempotency-Key') }).toEqual({ path, headers: [expect.objectContaining({ required: false })] });
    }
  });

  it('generates a typed client with openapi-typescript whose types check, and runs a redemption through it with openapi-fetch', async () => {
    // defaultNonNullable: false, or openapi-typescript 7 makes request fields that have a default required.
    const types = astToString(await openapiTS(doc, { defaultNonNullable: false }));
    // A copy for front-end developers to look at (git-ignored); the check runs in a scratch directory.
    mkdirSync(join(root, 'test/generated'), { recursive: true });
    writeFileSync(join(root, 'test/generated/api-v1.d.ts'), types);
    const dir = mkdtempSync(join(tmpdir(), 'cb-openapi-'));
    try {
      writeFileSync(join(dir, 'api-v1.d.ts'), types);
      writeFileSync(join(dir, 'flow.ts'), TYPED_FLOW);
      writeFileSync(join(dir, 'wrong.ts'), WRONG_FLOW);
      expect(typeErrors(dir, 'flow.ts')).toEqual([]);
      const wrong = typeErrors(dir, 'wrong.ts');
      expect(wrong.length).toBeGreaterThanOrEqual(2);
      expect(wrong.join('\n')).toMatch(/Idempotency-Key|header/);

      // Run exactly the code that was type-checked (its imports are types only).
      const js = ts.transpileModule(TYPED_FLOW, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      const exports: Record<string, any> = {};
      new Function('exports', js)(exports);
      const clientFor = (token: string) => createClient<any>({ baseUrl: env.baseUrl, headers: { Authorization: `Bearer ${token}` } });
      const outcome = await exports.redeemThroughTypedClient(clientFor, ADMIN_TOKEN, idem('typed'));
      expect(outcome.status).toBe(200);
      expect(outcome.command).toMatchObject({ type: 'redemption', status: 'succeeded', result: { coveredAmount: 12000 } });
      expect(outcome.polled).toMatchObject({ id: outcome.command.id, status: 'succeeded' });
      expect(outcome).toMatchObject({ invoiceStatus: 'paid', balanceDue: 0 });
      expect(outcome.problem).toMatchObject({ status: 400, code: 'validation_failed', errors: [expect.objectContaining({ field: 'price' })] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
