import { jsonDepth } from './body-depth.middleware.js';

describe('jsonDepth', () => {
  it('counts nesting of objects and arrays', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [{ b: 1 }] })).toBe(3);
  });

  it('measures a value nested 100,000 deep without overflowing the stack', () => {
    let value: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) value = { a: value };
    expect(jsonDepth(value)).toBe(100_000);
    expect(jsonDepth(value, 40)).toBe(41);
  });
});
