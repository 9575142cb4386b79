import { removedTaxCodes, taxRatesFor, unknownTaxCodes, type ClinicTax } from './tax-settings.js';

const bc: ClinicTax[] = [
  { code: 'GST', name: 'GST', rate: '5' },
  { code: 'PST', name: 'PST', rate: '7' },
  { code: 'QST', name: 'QST', rate: '9.975' },
];

describe('clinic tax settings', () => {
  it('rates in the clinic order, as milli-percent integers', () => {
    expect(taxRatesFor(bc, ['QST', 'GST'])).toEqual([{ code: 'GST', rateMilliPercent: 5000 }, { code: 'QST', rateMilliPercent: 9975 }]);
    expect(taxRatesFor(bc, [])).toEqual([]);
  });
  it('an unknown code is named, and refused when rating', () => {
    expect(unknownTaxCodes(bc, ['GST', 'HST'])).toEqual(['HST']);
    expect(() => taxRatesFor(bc, ['HST'])).toThrow(RangeError);
  });
  it('removed codes', () => {
    expect(removedTaxCodes(bc, [bc[1]])).toEqual(['GST', 'QST']);
    expect(removedTaxCodes(bc, bc)).toEqual([]);
  });
});
