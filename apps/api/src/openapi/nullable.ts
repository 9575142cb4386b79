import type { OpenAPIObject } from '@nestjs/swagger';

type Schema = Record<string, unknown>;

/** OpenAPI 3.0's only way to say "this $ref, or null" that both linters and generators accept. */
const NULL_SCHEMA = { type: 'object', nullable: true, enum: [null], description: 'null' };

/**
 * Nest writes `nullable: true` beside `allOf: [$ref]` (a $ref that null never matches) and beside
 * an `enum` without null (3.0.3: null must be listed). Rewritten here for every schema, so a DTO
 * written tomorrow is documented right without remembering it:
 * - `{ nullable, allOf: [$ref] }` → `{ anyOf: [$ref, null] }`;
 * - a nullable `enum` lists null.
 */
export function normalizeNullables(document: OpenAPIObject): void {
  visit(document.components?.schemas ?? {});
  visit(document.paths);
}

function visit(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== 'object') return;
  const schema = node as Schema;
  if (schema.nullable === true) {
    const allOf = schema.allOf as Schema[] | undefined;
    if (allOf?.length === 1 && typeof allOf[0].$ref === 'string') {
      delete schema.nullable;
      delete schema.allOf;
      delete schema.type;
      schema.anyOf = [allOf[0], { ...NULL_SCHEMA, enum: [null] }];
    } else if (Array.isArray(schema.enum) && !schema.enum.includes(null)) {
      schema.enum = [...schema.enum, null];
    }
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key !== 'enum' && key !== 'example' && key !== 'default') visit(value);
  }
}
