import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { ApiHeader, ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { PROBLEMS, ROLES, type Role } from '@app/billing';
import { ACCESS_KEY, ROLES_KEY } from '../auth/roles.decorator.js';
import { COMMAND_ENDPOINT } from '../common/idempotency-key.js';
import { CommandResponse } from '../commands/dto/command.response.js';
import { COMMAND_MODELS, discriminateCommands } from './command-schema.js';
import { normalizeNullables } from './nullable.js';
import { OPERATIONS, TAGS } from './operations.js';
import { FieldErrorSchema, ProblemDetails } from './problem.schema.js';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';

// swagger's metadata keys (DECORATORS in @nestjs/swagger/dist/constants), read to avoid duplicates.
const API_HEADERS = 'swagger/apiHeaders';
const API_RESPONSE = 'swagger/apiResponse';

const IDEMPOTENCY_KEY = 'Idempotency-Key';
const PREFER_DESCRIPTION = 'wait=N (N ≤ 30): answer 200 with the finished command if it finishes within N seconds, else 202 as usual';

/**
 * /docs (Swagger UI) and /docs-json, generated from the controllers and DTOs. Built on the first
 * request, so app start-up (and every test suite) does not pay for it.
 */
export function setupOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  // Registered before Swagger UI's routes, so its page and assets carry the policy.
  app.use(`/${DOCS_PATH}`, (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', DOCS_CSP);
    next();
  });
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: `${DOCS_JSON_PATH.replace(/-json$/, '')}-yaml`,
    customSiteTitle: 'Clinic Billing API',
    // A key typed into the page is not kept in localStorage (any script of the origin could read it);
    // no call to the public validator badge either.
    swaggerOptions: { persistAuthorization: false, validatorUrl: null },
  });
}

/**
 * Swagger UI loads its own scripts and styles from /docs/ and draws with inline styles (its page
 * has <style> blocks and React sets style attributes); nothing else, and nothing from elsewhere.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  documentCommonHeaders(app);
  const config = new DocumentBuilder()
    .setTitle('Clinic Billing API')
    .setDescription(
      [
        'Prepaid packages and memberships for clinics. Contract: api-v1.md.',
        '',
        'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
        'Money is an integer of minor units; calendar dates are `YYYY-MM-DD` in the clinic time zone.',
        'Every POST takes an `Idempotency-Key`; command endpoints require one and answer `202` with a',
        'command resource (or `200` once finished, with `Prefer: wait=N`).',
      ].join('\n'),
    )
    .setVersion('1')
    // Relative: the API that serves the document is the one it describes, wherever it is deployed.
    .addServer('/', 'This API')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key (`cbk_…`)' }, 'bearer')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'token', description: "The platform operator's ADMIN_TOKEN" }, ADMIN_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'token', description: 'METRICS_TOKEN, when the deployment sets one' }, METRICS_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetails, FieldErrorSchema, CommandResponse, ...COMMAND_MODELS],
    operationIdFactory,
  });
  document.tags = TAGS;
  discriminateCommands(document);
  normalizeNullables(document);
  describeOperations(document);
  return document;
}

const ADMIN_SCHEME = 'adminToken';
const METRICS_SCHEME = 'metricsToken';
const operationIdFactory = (controllerKey: string, methodKey: string) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`;

/** Who may call a route, from the same metadata the guard reads (handler over class). */
interface RouteAccess {
  access: 'public' | 'admin' | 'key';
  roles: Role[];
  isCommand: boolean;
}
const routes = new Map<string, RouteAccess>();

const decorated = new WeakSet<object>();

/**
 * Every POST documents its Idempotency-Key; command endpoints (@CommandEndpoint) document it as
 * required, with Prefer and their 202/200 command answers. Done from the routes' metadata, so a
 * command endpoint added later is documented the same way without remembering to.
 */
function documentCommonHeaders(app: INestApplication): void {
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller?.prototype) continue;
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const descriptor = Object.getOwnPropertyDescriptor(proto, name);
        const handler = descriptor?.value as object | undefined;
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const isCommand = Reflect.getMetadata(COMMAND_ENDPOINT, handler) === true;
        const access = (Reflect.getMetadata(ACCESS_KEY, handler) ?? Reflect.getMetadata(ACCESS_KEY, controller)) as string | undefined;
        routes.set(operationIdFactory(controller.name, name), {
          access: access === 'public' ? 'public' : access === 'admin' ? 'admin' : 'key',
          roles: (Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, controller) ?? []) as Role[],
          isCommand,
        });
        if (method !== RequestMethod.POST || decorated.has(handler)) continue;
        decorated.add(handler);
        const headers = [...(Reflect.getMetadata(API_HEADERS, controller) ?? []), ...(Reflect.getMetadata(API_HEADERS, handler) ?? [])] as { name: string }[];
        const has = (header: string) => headers.some((h) => h.name.toLowerCase() === header.toLowerCase());
        const apply = (decorator: MethodDecorator) => decorator(proto, name, descriptor!);
        if (!has(IDEMPOTENCY_KEY)) {
          apply(
            ApiHeader({
              name: IDEMPOTENCY_KEY,
              required: isCommand,
              description: isCommand
                ? 'Required on command endpoints (1..255 printable ASCII): the same key and body replay the same command'
                : 'Optional (1..255 printable ASCII): the same key and body replay the first answer',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            }),
          );
        }
        if (!isCommand) continue;
        if (!has('Prefer')) apply(ApiHeader({ name: 'Prefer', required: false, description: PREFER_DESCRIPTION, schema: { type: 'string', example: 'wait=10' } }));
        const responses = (Reflect.getMetadata(API_RESPONSE, handler) ?? {}) as Record<string, unknown>;
        const location = { Location: { description: '/v1/commands/{id}', schema: { type: 'string' } } };
        if (!responses['202']) apply(ApiResponse({ status: 202, type: CommandResponse, headers: location, description: 'Accepted: queued to the workers (or still running after Prefer: wait)' }));
        if (!responses['200']) apply(ApiResponse({ status: 200, type: CommandResponse, headers: location, description: 'Finished (Prefer: wait, or a replay of a finished command)' }));
        if (!responses['422']) apply(ApiResponse({ status: 422, type: ProblemDetails, description: 'idempotency_key_reused: the key was used with another body or endpoint' }));
      }
    }
  }
}

type Operation = {
  operationId: string;
  summary?: string;
  description?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { description?: string; content?: unknown; headers?: unknown }>;
};

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };
const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

/** Each problem code, said briefly for the response descriptions. */
const MEANING: Record<string, string> = {
  validation_failed: 'a field, query parameter or header is not valid (`errors` lists them)',
  malformed_json: 'the body is not JSON',
  idempotency_key_required: 'no Idempotency-Key header',
  unauthorized: 'no key, or an unknown or revoked one',
  forbidden: "the key's role may not do this",
  not_found: 'no such resource in this clinic (nor one it refers to)',
  conflict: 'the request conflicts with the current state',
  idempotency_key_in_progress: 'a request with this Idempotency-Key is still running',
  payload_too_large: 'the body is over 1 MiB',
  unsupported_media_type: 'a body charset other than UTF-8',
  idempotency_key_reused: 'this Idempotency-Key was used with another body or endpoint',
  rate_limited: 'too many requests (or failed authentications from this address); retry after Retry-After seconds',
  internal_error: 'an unexpected error, logged with the correlation id',
};

const statusOf = (code: string) => (PROBLEMS as Record<string, { status: number } | undefined>)[code]?.status ?? (code === 'api_key_limit' ? 409 : undefined);

/**
 * Summary, tag check, security and problem answers of every operation. The problems an operation
 * can give follow from what it takes (a body, parameters, an Idempotency-Key), who may call it
 * (the same metadata the guard reads) and the codes its service adds (operations.ts).
 */
function describeOperations(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      const doc = OPERATIONS[key];
      op.summary ??= doc?.summary;
      const route = routes.get(op.operationId) ?? { access: 'key', roles: [], isCommand: false };
      op.description ??= whoMayCall(route);
      for (const [status, response] of Object.entries(op.responses)) {
        if (/^2/.test(status) && !response.description) response.description = SUCCESS[status] ?? 'Success';
      }
      op.security =
        route.access === 'public'
          ? op.operationId === 'Metrics_scrape' ? [{ [METRICS_SCHEME]: [] }, {}] : []
          : route.access === 'admin' ? [{ [ADMIN_SCHEME]: [] }] : [{ bearer: [] }];
      const codes = [...genericProblems(op, route), ...(doc?.problems ?? [])];
      const byStatus = new Map<number, string[]>();
      for (const code of codes) {
        const status = statusOf(code);
        if (status === undefined) continue;
        const list = byStatus.get(status) ?? [];
        if (!list.includes(code)) list.push(code);
        byStatus.set(status, list);
      }
      for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
        const text = list.map((code) => `\`${code}\`${MEANING[code] ? `: ${MEANING[code]}` : ''}`).join('; ');
        const existing = op.responses[status];
        if (existing?.description && !existing.description.includes(text)) existing.description = `${existing.description}. ${text}`;
        else op.responses[status] ??= { description: text };
        if (status === 429) op.responses[status].headers ??= { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } };
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) response.content = PROBLEM_CONTENT;
      }
    }
  }
}

const SUCCESS: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'Done, no content' };

function whoMayCall(route: RouteAccess): string {
  if (route.access === 'public') return 'No API key needed.';
  if (route.access === 'admin') return "The platform operator's ADMIN_TOKEN (not an API key).";
  return `API key roles: ${route.roles.map((role) => `\`${role}\``).join(', ')}.`;
}

/** The problems any operation of this shape can give, whatever its service does. */
function genericProblems(op: Operation, route: RouteAccess): string[] {
  const params = op.parameters ?? [];
  const codes: string[] = [];
  if (op.requestBody || params.some((p) => p.in === 'query' || p.in === 'header')) codes.push('validation_failed');
  if (op.requestBody) codes.push('malformed_json');
  if (route.isCommand) codes.push('idempotency_key_required');
  if (route.access !== 'public') {
    codes.push('unauthorized');
    if (route.access === 'key' && !ROLES.every((role) => route.roles.includes(role))) codes.push('forbidden');
    codes.push('rate_limited');
  }
  if (params.some((p) => p.in === 'path')) codes.push('not_found');
  // Optional keys are scoped to a clinic: the operator's POST /v1/clinics has none.
  const takesKey = params.some((p) => p.in === 'header' && p.name === 'Idempotency-Key');
  if (takesKey && route.access === 'key') codes.push('idempotency_key_reused');
  if (takesKey && route.access === 'key' && !route.isCommand) codes.push('idempotency_key_in_progress');
  if (op.requestBody) codes.push('payload_too_large', 'unsupported_media_type');
  codes.push('internal_error');
  return codes;
}
