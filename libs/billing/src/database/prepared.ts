import { createHash } from 'node:crypto';
import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery } from 'kysely';

// The hot path's statements run as named prepared statements: Postgres parses and plans each
// once per connection instead of on every command (planning cost more than running them).
// MikroORM's execute() inlines parameters, so these go to the connection below it with real
// parameters, and a pool hook turns the marked ones into named statements of node-postgres.

const MARK = '/*prepared:';

/** Marked statement texts by the SQL they came from. */
const prepared = new Map<string, string>();

/** `?` placeholders to `$1…$n`, named by a hash of the text (a changed text is a new statement). */
function markedText(sql: string): string {
  let text = prepared.get(sql);
  if (!text) {
    let n = 0;
    text = markNumbered(sql.replace(/\?/g, () => `$${++n}`));
    prepared.set(sql, text);
  }
  return text;
}

const markNumbered = (numbered: string) => `${MARK}q_${createHash('sha1').update(numbered).digest('hex').slice(0, 20)}*/ ${numbered}`;

/** Marked texts of statements already numbered `$1…$n` (compiled by Kysely). */
const preparedNumbered = new Map<string, string>();

/** executePrepared for a statement compiled with `$n` placeholders (Kysely's), under the same two rules. */
export async function executePreparedCompiled<T extends object>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  let text = preparedNumbered.get(sql);
  if (!text) preparedNumbered.set(sql, (text = markNumbered(sql)));
  const executor = em.getTransactionContext() ?? em.getConnection().getClient();
  const result = await executor.executeQuery(CompiledQuery.raw(text, [...params]));
  return result.rows as T[];
}

/**
 * Runs one statement as a named prepared statement, in the EntityManager's transaction if it has
 * one. `?` marks the parameters, as in em.execute() (so no jsonb `?` operator in them). Two rules
 * for such statements:
 * - their plan must not depend on the parameters' values (lookups by key): after a few runs
 *   Postgres may keep one generic plan;
 * - they name the columns they return (columnsOf), never `*`: a column added by a migration would
 *   otherwise change the result of a statement prepared before it, which Postgres refuses.
 */
export async function executePrepared<T extends object>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const executor = em.getTransactionContext() ?? em.getConnection().getClient();
  const result = await executor.executeQuery(CompiledQuery.raw(markedText(sql), params));
  return result.rows as T[];
}

type QueryFn = (...args: unknown[]) => unknown;

/** Pool hook: a query text that starts with the mark becomes a named statement of its connection. */
export function namePreparedStatements(pool: { on(event: 'connect', listener: (client: { query: QueryFn }) => void): unknown }): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    client.query = (config: unknown, values?: unknown, callback?: unknown) => {
      if (typeof config === 'string' && config.startsWith(MARK)) {
        const name = config.slice(MARK.length, config.indexOf('*/'));
        return query({ name, text: config, values }, callback);
      }
      return query(config, values, callback);
    };
  });
}

const columnLists = new Map<string, string>();

/** An entity's columns, as `alias.column, …`, from MikroORM's metadata (for statements that must not use `*`). */
export function columnsOf(em: EntityManager, entity: EntityClass<object>, alias: string): string {
  const key = `${entity.name}:${alias}`;
  let list = columnLists.get(key);
  if (!list) {
    const props = em.getMetadata().get(entity).props.filter((p) => p.persist !== false && p.fieldNames?.length);
    list = props.flatMap((p) => p.fieldNames.map((f) => `${alias}.${f}`)).join(', ');
    columnLists.set(key, list);
  }
  return list;
}
