// Reading a stored request back: the API validated it when it was stored, so a request that does
// not read here is corrupt or from another version, never retried (UnrecoverableError).

export class UnreadableRequest extends Error {}

type Check<T> = { optional: boolean; read: (value: unknown, field: string) => T };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function check<T>(test: (value: unknown) => boolean, what: string): Check<T> {
  return {
    optional: false,
    read: (value, field) => {
      if (!test(value)) throw new UnreadableRequest(`${field} is not ${what}`);
      return value as T;
    },
  };
}

export const uuid = check<string>((v) => typeof v === 'string' && UUID.test(v), 'a uuid');
export const text = check<string>((v) => typeof v === 'string', 'a string');
export const isoDate = check<string>((v) => typeof v === 'string' && DATE.test(v), 'a date');
export const integer = check<number>((v) => Number.isSafeInteger(v), 'an integer');
export const oneOf = <const V extends string>(values: readonly V[]) => check<V>((v) => values.includes(v as V), `one of ${values.join(', ')}`);
export const optional = <T>(inner: Check<T>): Check<T | undefined> => ({ optional: true, read: inner.read });

type Shape = Record<string, Check<unknown>>;
type Read<S extends Shape> = { [K in keyof S as S[K]['optional'] extends true ? never : K]: ReturnType<S[K]['read']> } & {
  [K in keyof S as S[K]['optional'] extends true ? K : never]?: Exclude<ReturnType<S[K]['read']>, undefined>;
};

/** A reader of an object of known fields (others are ignored); throws UnreadableRequest. */
export function shape<S extends Shape>(fields: S): (raw: unknown) => Read<S> {
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UnreadableRequest('the request is not an object');
    const source = raw as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [field, c] of Object.entries(fields)) {
      if (source[field] === undefined || source[field] === null) {
        if (!c.optional) throw new UnreadableRequest(`${field} is missing`);
        continue;
      }
      out[field] = c.read(source[field], field);
    }
    return out as Read<S>;
  };
}
