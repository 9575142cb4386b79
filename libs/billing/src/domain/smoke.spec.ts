import fc from 'fast-check';
describe('toolchain', () => {
  it('runs property tests', () => {
    fc.assert(fc.property(fc.integer(), (n) => n + 0 === n));
  });
});
