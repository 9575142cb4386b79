export * from './csv.js';
export * from './liability-report.js';
export * from './ageing-report.js';
export * from './revenue-report.js';
export * from './exports.js';
