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

/** A parameter with its Postgres type, where Postgres cannot infer one (select lists, coalesce). */
export const typed = <T>(value: T, type: 'uuid' | 'text' | 'jsonb' | 'date' | 'boolean' | 'bigint' | 'integer' | 'uuid[]'): RawBuilder<T> =>
  sql<T>`${value}::${sql.raw(type)}`;

/** A value as a JSON parameter (node-postgres would write an array as a Postgres array). */
export const json = (value: unknown): string => JSON.stringify(value);
