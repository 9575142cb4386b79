import type { Type } from '@nestjs/common';

/** Synchronous resources (catalogue, patients, invoices, …): one module per folder. */
export const RESOURCE_MODULES: Type[] = [];
