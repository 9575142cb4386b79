import fc from 'fast-check';
import { csvField, csvLine, csvWriter, currencyDigits, formatMinor } from './csv.js';

describe('csv', () => {
  it('quotes a field with a comma, a quote or a line break, doubling its quotes', () => {
    expect(csvField('Smith')).toBe('Smith');
    expect(csvField('O"Neil, Jr')).toBe('"O""Neil, Jr"');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(null)).toBe('');
    expect(csvLine(['a', 1, true, null])).toBe('a,1,true,\r\n');
  });

  it('formats minor units by the currency digits without floats', () => {
    expect(formatMinor(70000, 2)).toBe('700.00');
    expect(formatMinor(5, 2)).toBe('0.05');
    expect(formatMinor(-5, 2)).toBe('-0.05');
    expect(formatMinor(0, 2)).toBe('0.00');
    expect(formatMinor(1234, 0)).toBe('1234');
    expect(formatMinor(1234, 3)).toBe('1.234');
    expect(formatMinor(Number.MAX_SAFE_INTEGER, 2)).toBe('90071992547409.91');
    expect(() => formatMinor(1.5, 2)).toThrow(RangeError);
    expect(currencyDigits('CAD')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('BHD')).toBe(3);
  });

  it('reads back as the integer it was, for any amount', () => {
    fc.assert(fc.property(fc.integer({ min: -(10 ** 12), max: 10 ** 12 }), fc.integer({ min: 0, max: 3 }), (n, d) => {
      expect(BigInt(formatMinor(n, d).replace('.', ''))).toBe(BigInt(n));
    }));
  });

  it('writes a header naming the fields and money as decimals', () => {
    const w = csvWriter<{ name: string; amount: number }>(['name', 'amount'], new Set(['amount']), 2);
    expect(w.header + w.line({ name: 'A, "B"', amount: 70000 })).toBe('name,amount\r\n"A, ""B""",700.00\r\n');
  });
});
