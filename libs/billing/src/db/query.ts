import type { EntityManager } from '@mikro-orm/postgresql';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type Compilable, type RawBuilder } from 'kysely';
import { executePreparedCompiled } from '../database/prepared.js';
import type { Database } from './database.js';

/**
 * The one typed query layer of the command pipeline. It only compiles: statements run through
 * the EntityManager's connection (in the command's transaction) as named prepared statements,
 * so Postgres plans each text once per connection.
 */
export const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** Runs a compiled query as a prepared statement, in the EntityManager's transaction if it has one. */
export async function run<R>(em: EntityManager, query: Compilable<R>): Promise<R[]> {
  const { sql: text, parameters } = query.compile();
  return executePreparedCompiled<R & object>(em, text, parameters);
}

/** Stands for the i-th argument of a statement shape while it is compiled once (runShaped). */
class Slot {
  constructor(readonly index: number) {}
}

/** A shape's text and, for each of its parameters, the argument it takes or the constant it keeps. */
interface Shape {
  sql: string;
  parameters: readonly ({ arg: number } | { constant: unknown })[];
}

const shapes = new Map<string, Shape>();

/**
 * Compiles a statement shape once per process: `build` gets stand-ins for `args` and must use
 * each where a value goes (a value, never an `in` list, an object key or anything Kysely looks
 * into). Later runs with the same `key` only fill in the arguments: building and compiling with
 * Kysely cost about as much worker CPU as running the statement. `key` names everything that
 * changes the text besides the arguments.
 */
export function shaped<A extends readonly unknown[]>(key: string, args: A, build: (...slots: A) => Compilable<unknown>): { sql: string; parameters: unknown[] } {
  let shape = shapes.get(key);
  if (!shape) {
    // The stand-ins pass for the arguments' types: build only places them.
    const compiled = build(...(args.map((_, i) => new Slot(i)) as unknown as A)).compile();
    const parameters = compiled.parameters.map((p) => (p instanceof Slot ? { arg: p.index } : { constant: p }));
    const used = new Set(parameters.flatMap((p) => ('arg' in p ? [p.arg] : [])));
    if (used.size !== args.length) throw new Error(`Statement shape ${key}: ${args.length - used.size} argument(s) not used as a value`);
    shapes.set(key, (shape = { sql: compiled.sql, parameters }));
  }
  return { sql: shape.sql, parameters: shape.parameters.map((p) => ('arg' in p ? args[p.arg] : p.constant)) };
}

/** run() for a statement shape compiled once (shaped). */
export async function runShaped<R, A extends readonly unknown[]>(em: EntityManager, key: string, args: A, build: (...slots: A) => Compilable<R>): Promise<R[]> {
  const { sql: text, parameters } = shaped(key, args, build);
  return executePreparedCompiled<R & object>(em, text, parameters);
}

/** A parameter with its Postgres type, where Postgres cannot infer one (select lists, coalesce). */
export const typed = <T>(value: T, type: 'uuid' | 'text' | 'jsonb' | 'date' | 'boolean' | 'bigint' | 'integer' | 'uuid[]'): RawBuilder<T> =>
  sql<T>`${value}::${sql.raw(type)}`;

/** A value as a JSON parameter (node-postgres would write an array as a Postgres array). */
export const json = (value: unknown): string => JSON.stringify(value);
