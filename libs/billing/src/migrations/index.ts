import { Migration20261125141423_initial } from './Migration20261125141423_initial.js';
import { Migration20261128100000_tenant_composite_fks } from './Migration20261128100000_tenant_composite_fks.js';
import { Migration20261128120000_reversals_voids } from './Migration20261128120000_reversals_voids.js';
import { Migration20261128121000_pauses_extensions } from './Migration20261128121000_pauses_extensions.js';
import { Migration20261128122000_lines_portions_writeoffs } from './Migration20261128122000_lines_portions_writeoffs.js';
import { Migration20261128123000_taxes } from './Migration20261128123000_taxes.js';
import { Migration20261128124000_report_indexes } from './Migration20261128124000_report_indexes.js';
import { Migration20261128126000_liability_totals } from './Migration20261128126000_liability_totals.js';
import { Migration20261128127000_invoice_totals_per_statement } from './Migration20261128127000_invoice_totals_per_statement.js';
import { Migration20261128128000_plan_invoice_extras } from './Migration20261128128000_plan_invoice_extras.js';
import { Migration20261128130000_command_status_indexes } from './Migration20261128130000_command_status_indexes.js';
import { Migration20261128131000_invoice_line_effect_key } from './Migration20261128131000_invoice_line_effect_key.js';
import { Migration20261128132000_invoice_effect_key } from './Migration20261128132000_invoice_effect_key.js';

// Every migration, in order. A new one is generated with `npm run db:migration:create -- <name>`
// and added here (an explicit list: no file globbing at run time, works from src and dist alike).
// A generated one proposes undoing the composite tenant keys: see the tenant_composite_fks migration.
export const MIGRATIONS = [Migration20261125141423_initial, Migration20261128100000_tenant_composite_fks, Migration20261128120000_reversals_voids, Migration20261128121000_pauses_extensions, Migration20261128122000_lines_portions_writeoffs, Migration20261128123000_taxes, Migration20261128124000_report_indexes, Migration20261128126000_liability_totals, Migration20261128127000_invoice_totals_per_statement, Migration20261128128000_plan_invoice_extras, Migration20261128130000_command_status_indexes, Migration20261128131000_invoice_line_effect_key, Migration20261128132000_invoice_effect_key];
