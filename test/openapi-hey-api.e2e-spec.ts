// A second generator, @hey-api/openapi-ts, beside openapi-typescript (openapi.e2e-spec.ts): its SDK
// must type-check a flow that sets every request field of the patient, purchase, payment and
// redemption endpoints, and every answer of that flow must validate against the document's own
// schema (ajv), nulls included. The SDK is written to test/generated/hey-api (git-ignored).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient as generate } from '@hey-api/openapi-ts';
import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import ts from 'typescript';
import { ADMIN_TOKEN, startTestEnv, type TestEnv } from './harness.js';
import { idem } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test/generated/hey-api');
// ajv-formats is CommonJS: under ESM its function may sit on .default.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as unknown as (ajv: Ajv) => Ajv;

// Every field of the four request bodies is spelled out: `Required<…>` makes a field the generated
// type has and the flow forgets a type error, and a field typed `object` could not take a string.
const FLOW = `
import { createClient, createConfig, type Client } from './client/index.js';
import {
  clinicsCreate, commandsGet, familiesCreate, invoicesAddLine, invoicesCreate, invoicesGet, patientsCreate, patientsGet, patientsUpdate,
  paymentsCreate, plansCreate, purchasesCreate, purchasesGet, redemptionsRedeem, servicesCreate,
} from './sdk.gen.js';
import type { CommandResponse, CreatePatientDto, CreatePaymentDto, CreatePurchaseDto, CreateRedemptionDto, ProblemDetails, UpdatePatientDto } from './types.gen.js';

export type ClientFor = (token: string) => Client;

function must<T>(answer: { data?: T; error?: unknown; response?: Response }, what: string): T {
  if (answer.data === undefined) throw new Error(what + ': ' + answer.response?.status + ' ' + JSON.stringify(answer.error));
  return answer.data;
}

export function clientWith(baseUrl: string, token: string): Client {
  return createClient(createConfig({ baseUrl, headers: { Authorization: 'Bearer ' + token } }));
}

export async function flow(clientFor: ClientFor, adminToken: string, keys: { redemption: string }) {
  const admin = clientFor(adminToken);
  const clinic = must(await clinicsCreate({ client: admin, body: { name: 'Hey API Clinic', currency: 'CAD', timezone: 'America/Toronto' } }), 'clinic');
  const client = clientFor(clinic.ownerKey);
  const service = must(await servicesCreate({ client, body: { name: 'Physio 45', price: 9000, durationMinutes: 45 } }), 'service');
  const plan = must(
    await plansCreate({
      client,
      body: { kind: 'package', name: '4 physio visits', price: 32000, items: [{ serviceId: service.id, quantity: 4 }], validityDays: 365, installments: { count: 2, intervalDays: 30 } },
    }),
    'plan',
  );
  const family = must(await familiesCreate({ client, body: { name: 'Byron' } }), 'family');

  const newPatient: Required<CreatePatientDto> = {
    firstName: 'Ada', lastName: 'Byron', email: 'ada@example.com', phone: '+1 416 555 0100', dateOfBirth: '1990-12-10', familyId: family.id,
  };
  const created = must(await patientsCreate({ client, body: newPatient }), 'patient');
  const cleared: Required<UpdatePatientDto> = { firstName: 'Augusta Ada', lastName: 'King', email: null, phone: null, dateOfBirth: null, familyId: null };
  const afterClear = must(await patientsUpdate({ client, path: { id: created.id }, body: cleared }), 'patient cleared');
  const restored: Required<UpdatePatientDto> = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.org', phone: '416-555-0199', dateOfBirth: '1990-12-10', familyId: family.id };
  const patient = must(await patientsUpdate({ client, path: { id: created.id }, body: restored }), 'patient restored');
  must(await patientsGet({ client, path: { id: patient.id } }), 'patient read');

  const startDate = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
  const sale: Required<CreatePurchaseDto> = { planId: plan.id, startDate, paymentSchedule: 'installments' };
  const purchase = must(await purchasesCreate({ client, path: { patientId: patient.id }, body: sale }), 'purchase');
  const first = purchase.invoices[0];
  const payment: Required<CreatePaymentDto> = { amount: first.total, method: 'card', reference: 'slip 0042' };
  const paid = must(await paymentsCreate({ client, path: { id: first.id }, body: payment }), 'payment');
  const second = purchase.invoices[1];
  const noReference: Required<CreatePaymentDto> = { amount: 1000, method: 'cash', reference: null };
  const partial = must(await paymentsCreate({ client, path: { id: second.id }, body: noReference }), 'payment without reference');

  const invoice = must(await invoicesCreate({ client, body: { patientId: patient.id } }), 'invoice');
  const line = must(await invoicesAddLine({ client, path: { id: invoice.id }, body: { serviceId: service.id, quantity: 1 } }), 'line');
  const redemption: Required<CreateRedemptionDto> = { invoiceId: invoice.id, lineId: line.id, purchaseId: purchase.id };
  const answer = await redemptionsRedeem({ client, headers: { 'Idempotency-Key': keys.redemption, Prefer: 'wait=10' }, body: redemption });
  const command: CommandResponse = must(answer, 'redemption');
  const polled = must(await commandsGet({ client, path: { id: command.id } }), 'command');
  // The discriminator: once type is 'redemption', request and result are a redemption's.
  let coveredAmount: number | undefined;
  let lineId: string | undefined;
  if (polled.type === 'redemption') {
    coveredAmount = polled.result?.coveredAmount;
    lineId = polled.request.lineId;
  }
  const after = must(await invoicesGet({ client, path: { id: invoice.id } }), 'invoice after');
  must(await purchasesGet({ client, path: { id: purchase.id } }), 'purchase after');
  const refused = await paymentsCreate({ client, path: { id: first.id }, body: { amount: 0, method: 'card' } });
  const problem: ProblemDetails | undefined = refused.error;
  return { afterClear, patient, purchase, paid, partial, status: answer.response?.status, polled, coveredAmount, lineId, invoiceStatus: after.status, problem };
}
`;

// Must NOT type-check: the generated types mean something.
const WRONG = `
import { patientsCreate, redemptionsRedeem } from './sdk.gen.js';
import type { CommandResponse } from './types.gen.js';
export async function wrong(command: CommandResponse) {
  await patientsCreate({ body: { firstName: 'Ada', lastName: 'Byron', email: 42 } });
  await redemptionsRedeem({ body: { invoiceId: 'x', lineId: 'y' } });
  if (command.type === 'refund') return command.result?.coveredAmount;
  return undefined;
}
`;

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

type Json = Record<string, unknown>;
const DOC_ID = 'https://clinic-billing.test/openapi.json';

/**
 * An OpenAPI 3.0 schema as JSON Schema for ajv: `nullable` becomes a null type, refs point into the
 * document, and an object lists all it may hold (an undocumented field is a mismatch too).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const schema: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'example' || key === 'discriminator') continue;
    schema[key] = key === 'enum' ? value : toJsonSchema(value);
  }
  if (typeof schema.$ref === 'string') schema.$ref = schema.$ref.replace(/^#/, `${DOC_ID}#`);
  if (schema.nullable === true) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    delete schema.nullable;
  }
  if (schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  return schema;
}

/** The operation of the document a request went to: its template matched against the URL path. */
function operationFor(doc: any, method: string, url: string) {
  const path = new URL(url).pathname;
  for (const [template, item] of Object.entries<any>(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path) && item[method.toLowerCase()]) return { template, op: item[method.toLowerCase()] };
  }
  return undefined;
}

interface Exchange {
  method: string;
  url: string;
  status: number;
  contentType: string;
  body: string;
}

describe('OpenAPI: a client generated by @hey-api/openapi-ts sets every request field, and every answer matches its schema', () => {
  let env: TestEnv;
  let doc: any;
  beforeAll(async () => {
    env = await startTestEnv();
    doc = (await env.http().get('/docs-json').expect(200)).body;
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'openapi.json'), JSON.stringify(doc));
    await generate({ input: join(out, 'openapi.json'), output: { path: out }, logs: { level: 'silent' } });
    writeFileSync(join(out, 'flow.ts'), FLOW);
    writeFileSync(join(out, 'wrong.ts'), WRONG);
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it('type-checks the flow, and refuses a wrong one', () => {
    expect(typeErrors(join(out, 'flow.ts'))).toEqual([]);
    const wrong = typeErrors(join(out, 'wrong.ts'));
    expect(wrong.join('\n')).toMatch(/'number' is not assignable to type 'string'/);
    expect(wrong.join('\n')).toMatch(/Idempotency-Key|headers/);
    expect(wrong.join('\n')).toMatch(/coveredAmount/);
  }, 120_000);

  it('runs the flow, and every answer validates against its schema with ajv', async () => {
    const sdk = await import(join(out, 'flow.ts'));
    const exchanges: Exchange[] = [];
    const clientFor = (token: string) => {
      const client = sdk.clientWith(env.baseUrl, token);
      client.interceptors.response.use(async (response: Response, request: Request) => {
        exchanges.push({ method: request.method, url: request.url, status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.clone().text() });
        return response;
      });
      return client;
    };
    const outcome = await sdk.flow(clientFor, ADMIN_TOKEN, { redemption: idem('hey-api') });

    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: DOC_ID, components: toJsonSchema(doc.components) as Json });
    const mismatches: string[] = [];
    for (const exchange of exchanges) {
      const found = operationFor(doc, exchange.method, exchange.url);
      const where = `${exchange.method} ${new URL(exchange.url).pathname} → ${exchange.status}`;
      if (!found) {
        mismatches.push(`${where}: no such operation in the document`);
        continue;
      }
      const response = found.op.responses[String(exchange.status)];
      if (!response) {
        mismatches.push(`${where}: status not documented`);
        continue;
      }
      const mediaType = exchange.contentType.split(';')[0];
      const schema = response.content?.[mediaType]?.schema;
      if (!schema) {
        mismatches.push(`${where}: ${mediaType} not documented`);
        continue;
      }
      const validate = ajv.compile(toJsonSchema(schema) as Json);
      if (!validate(JSON.parse(exchange.body))) mismatches.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(mismatches).toEqual([]);
    // What the flow set came back as sent, nulls included.
    expect(outcome.afterClear).toMatchObject({ firstName: 'Augusta Ada', lastName: 'King', email: null, phone: null, dateOfBirth: null, familyId: null });
    expect(outcome.patient).toMatchObject({ email: 'ada@example.org', phone: '416-555-0199', dateOfBirth: '1990-12-10' });
    expect(outcome.paid).toMatchObject({ method: 'card', reference: 'slip 0042' });
    expect(outcome.partial).toMatchObject({ amount: 1000, reference: null });
    expect(outcome.status).toBe(200);
    expect({ status: outcome.polled.status, error: outcome.polled.error }).toEqual({ status: 'succeeded', error: undefined });
    expect(outcome.polled.type).toBe('redemption');
    expect(outcome.coveredAmount).toBe(9000); // the line's price: the purchase covers it whole
    expect(outcome.lineId).toBe(outcome.polled.request.lineId);
    expect(outcome.problem).toMatchObject({ status: 400, code: 'validation_failed' });

    // The flow went through each endpoint it names, errors included.
    const seen = new Set(exchanges.map((e) => `${e.method} ${operationFor(doc, e.method, e.url)?.template} ${e.status}`));
    for (const expected of ['POST /v1/patients 201', 'PATCH /v1/patients/{id} 200', 'POST /v1/patients/{patientId}/purchases 201', 'POST /v1/invoices/{id}/payments 201', 'POST /v1/redemptions 200', 'GET /v1/commands/{id} 200', 'POST /v1/invoices/{id}/payments 400']) {
      expect(seen).toContain(expected);
    }
  }, 120_000);
});
