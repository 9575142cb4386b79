// The pure billing domain: plain data in, plain data out.
export * from './errors.js';
export * from './dates.js';
export * from './money.js';
export * from './visit-values.js';
export * from './installments.js';
export * from './package-balance.js';
export * from './membership-allowance.js';
export * from './purchase-status.js';
export * from './redemption.js';
export * from './refund.js';
export * from './transfer.js';
export * from './cancellation.js';
export * from './invoice.js';
export * from './transitions.js';
export * from './reversal.js';
export * from './invoice-void.js';
