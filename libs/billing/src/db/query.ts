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
  arity: number;
  parameters: readonly ({ arg: number } | { constant: unknown })[];
}

const shapes = new Map<string, Shape>();
/** Keys are few (one per statement variant); past this, something makes keys of values: compile without keeping. */
const MAX_SHAPES = 2_000;

/**
 * Outside production every filled shape is checked against Kysely's compile of `build` with the
 * arguments themselves (what runs without shapes): a key that does not name everything that
 * changes the text would otherwise run another statement's text, with its parameters.
 */
const CHECK_SHAPES = process.env.NODE_ENV !== 'production';

/**
 * Compiles a statement shape once per process: `build` gets stand-ins for `args` and must use
 * each where a value goes (a value, never an `in` list, an object key or anything Kysely looks
 * into). Later runs with the same `key` only fill in the arguments: building and compiling with
 * Kysely cost about as much worker CPU as running the statement. `key` names everything that
 * changes the text besides the arguments (which optional fields are there, how many rows); an
 * argument may be null but not undefined (Kysely leaves an undefined value's column out).
 */
export function shaped<A extends readonly unknown[] | []>(key: string, args: A, build: (...slots: A) => Compilable<unknown>): { sql: string; parameters: unknown[] } {
  const undefinedAt = (args as readonly unknown[]).indexOf(undefined);
  if (undefinedAt >= 0) throw new Error(`Statement shape ${key}: argument ${undefinedAt} is undefined (use null, or a key of its own)`);
  let shape = shapes.get(key);
  if (!shape) {
    // The stand-ins pass for the arguments' types: build only places them.
    const compiled = build(...(args.map((_, i) => new Slot(i)) as unknown as A)).compile();
    const parameters = compiled.parameters.map((p) => (p instanceof Slot ? { arg: p.index } : { constant: p }));
    const used = new Set(parameters.flatMap((p) => ('arg' in p ? [p.arg] : [])));
    if (used.size !== args.length) throw new Error(`Statement shape ${key}: ${args.length - used.size} argument(s) not used as a value`);
    shape = { sql: compiled.sql, arity: args.length, parameters };
    if (shapes.size < MAX_SHAPES) shapes.set(key, shape);
  } else if (shape.arity !== args.length) {
    throw new Error(`Statement shape ${key}: ${args.length} arguments for a shape of ${shape.arity}: two statements share the key`);
  }
  const filled = { sql: shape.sql, parameters: shape.parameters.map((p) => ('arg' in p ? args[p.arg] : p.constant)) };
  if (CHECK_SHAPES) checkShape(key, filled, build(...args).compile());
  return filled;
}

/** Throws when a filled shape is not what Kysely compiles from the arguments themselves. */
function checkShape(key: string, filled: { sql: string; parameters: readonly unknown[] }, direct: { sql: string; parameters: readonly unknown[] }): void {
  const same = (a: unknown, b: unknown) => Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
  if (filled.sql !== direct.sql || filled.parameters.length !== direct.parameters.length || filled.parameters.some((p, i) => !same(p, direct.parameters[i]))) {
    throw new Error(`Statement shape ${key} is not what its arguments compile to: its key must name what changes the text\n shape:  ${filled.sql}\n direct: ${direct.sql}`);
  }
}

/** run() for a statement shape compiled once (shaped). */
export async function runShaped<R, A extends readonly unknown[] | []>(em: EntityManager, key: string, args: A, build: (...slots: A) => Compilable<R>): Promise<R[]> {
  const { sql: text, parameters } = shaped(key, args, build);
  return executePreparedCompiled<R & object>(em, text, parameters);
}

/** A parameter with its Postgres type, where Postgres cannot infer one (select lists, coalesce). */
export const typed = <T>(value: T, type: 'uuid' | 'text' | 'jsonb' | 'date' | 'boolean' | 'bigint' | 'integer' | 'uuid[]'): RawBuilder<T> =>
  sql<T>`${value}::${sql.raw(type)}`;

/** A value as a JSON parameter (node-postgres would write an array as a Postgres array). */
export const json = (value: unknown): string => JSON.stringify(value);
