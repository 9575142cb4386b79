// Receipts and statements: plain data models read from the database, and one pdfkit renderer,
// so the API's download and the e-mailed attachment are the same document.
export * from './money-format.js';
export * from './document-clinic.js';
export * from './receipt.js';
export * from './statement.js';
export * from './labels.js';
export * from './render-receipt.js';
export * from './render-statement.js';
