import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { ApiHeader, ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { COMMAND_ENDPOINT } from '../common/idempotency-key.js';
import { CommandResponse } from '../commands/dto/command.response.js';
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
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: `${DOCS_JSON_PATH.replace(/-json$/, '')}-yaml`,
    customSiteTitle: 'Clinic Billing API',
    swaggerOptions: { persistAuthorization: true },
  });
}

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
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (`cbk_…`); for POST /v1/clinics, the platform ADMIN_TOKEN' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetails, FieldErrorSchema, CommandResponse],
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  addProblemResponses(document);
  return document;
}

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
        if (typeof handler !== 'function' || name === 'constructor' || decorated.has(handler)) continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.POST) continue;
        decorated.add(handler);
        const isCommand = Reflect.getMetadata(COMMAND_ENDPOINT, handler) === true;
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
  parameters?: { in: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { description?: string; content?: unknown; headers?: unknown }>;
};

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };

/** The problem answers any operation can give, by what it takes; every 4xx/5xx is a ProblemDetails. */
function addProblemResponses(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'post', 'patch', 'put', 'delete'] as const) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      const add = (status: number, description: string, extra: Record<string, unknown> = {}) => {
        op.responses[status] ??= { description, ...extra };
      };
      if (op.requestBody || params.some((p) => p.in === 'query' || p.in === 'header')) {
        add(400, 'validation_failed (with `errors`), malformed_json, or idempotency_key_required on a command endpoint');
      }
      if (op.security?.length) {
        add(401, 'unauthorized: no key, or an unknown or revoked key');
        add(403, "forbidden: the key's role may not do this");
        add(429, 'rate_limited: too many requests for this key; retry after Retry-After seconds', {
          headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
        });
      }
      if (params.some((p) => p.in === 'path')) add(404, 'not_found (a resource of another clinic is not found either)');
      if (op.requestBody) add(413, 'payload_too_large: the body is over 1 MiB');
      add(500, 'internal_error');
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) response.content = PROBLEM_CONTENT;
      }
    }
  }
}
