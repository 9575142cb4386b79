import { moneyInput, parseMoney } from './money-input.js';

describe('money typed in a dashboard form', () => {
  it('reads decimals as minor units without floats', () => {
    expect(parseMoney('89', 2)).toBe(8900);
    expect(parseMoney(' 89.5 ', 2)).toBe(8950);
    expect(parseMoney('1,089.01', 2)).toBe(108901);
    expect(parseMoney('$0.10', 2)).toBe(10);
    expect(parseMoney('1234', 0)).toBe(1234);
    expect(parseMoney('1.005', 3)).toBe(1005);
  });

  it('refuses what is not a positive amount of the currency', () => {
    for (const bad of ['', '0', '0.00', '-5', '1.001', 'abc', '1e3', '12.3.4', undefined, 12, '9999999999999']) expect(parseMoney(bad, 2)).toBeNull();
    expect(parseMoney('1.5', 0)).toBeNull();
  });

  it('writes minor units back as the field value', () => {
    expect(moneyInput(8900, 2)).toBe('89.00');
    expect(moneyInput(5, 2)).toBe('0.05');
    expect(moneyInput(1234, 0)).toBe('1234');
  });
});
