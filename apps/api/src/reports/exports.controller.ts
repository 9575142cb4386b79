import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  Clinic, csvWriter, currencyDigits, exportInvoices, exportPayments, INVOICE_EXPORT_FIELDS, INVOICE_EXPORT_MONEY, PAYMENT_EXPORT_FIELDS,
  PAYMENT_EXPORT_MONEY, todayIn,
} from '@app/billing';
import { once } from 'node:events';
import type { Response } from 'express';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles } from '../auth/roles.decorator.js';
import { DateRangeQuery } from './dto/report-query.dto.js';
import { reportRange } from './report-dates.js';
import { CSV_TYPE, wantsJson } from './report-format.js';

const exportResponse = (fields: readonly string[]) =>
  ApiOkResponse({
    description: 'CSV by default (RFC 4180, a header row, money as decimals); a JSON array with Accept: application/json. Streamed in batches.',
    content: {
      'text/csv': { schema: { type: 'string', description: `Columns: ${fields.join(', ')}` } },
      'application/json': { schema: { type: 'array', items: { type: 'object', additionalProperties: true } } },
    },
  });

/** Rows for an accounting package, streamed: one batch of rows in memory at a time, written as it comes. */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/exports')
@Roles(...BACK_OFFICE)
export class ExportsController {
  constructor(private readonly em: EntityManager) {}

  @Get('invoices')
  @exportResponse(INVOICE_EXPORT_FIELDS)
  async invoices(@Query() query: DateRangeQuery, @Auth() auth: AuthContext, @Headers('accept') accept: string | undefined, @Res() res: Response): Promise<void> {
    const { clinic, from, to } = await this.range(query, auth);
    await stream(res, accept, `invoices-${from}-${to}`, exportInvoices(this.em, auth.clinicId, from, to), csvWriter(INVOICE_EXPORT_FIELDS, INVOICE_EXPORT_MONEY, currencyDigits(clinic.currency)));
  }

  @Get('payments')
  @exportResponse(PAYMENT_EXPORT_FIELDS)
  async payments(@Query() query: DateRangeQuery, @Auth() auth: AuthContext, @Headers('accept') accept: string | undefined, @Res() res: Response): Promise<void> {
    const { clinic, from, to } = await this.range(query, auth);
    await stream(res, accept, `payments-${from}-${to}`, exportPayments(this.em, auth.clinicId, from, to), csvWriter(PAYMENT_EXPORT_FIELDS, PAYMENT_EXPORT_MONEY, currencyDigits(clinic.currency)));
  }

  private async range(query: DateRangeQuery, auth: AuthContext) {
    const clinic = await this.em.findOneOrFail(Clinic, { id: auth.clinicId }, { fields: ['timezone', 'currency'] });
    return { clinic, ...reportRange(query.from, query.to, todayIn(clinic.timezone)) };
  }
}

/** Writes each batch as it arrives, waiting for the socket to drain: memory stays at one batch. */
async function stream<T extends object>(
  res: Response, accept: string | undefined, name: string, batches: AsyncGenerator<T[]>, csv: { header: string; line: (row: T) => string },
): Promise<void> {
  const json = wantsJson(accept);
  // The first batch is read before the status is sent, so a failing query is still a problem answer.
  const first = await batches.next();
  res.status(200);
  res.setHeader('Content-Type', json ? 'application/json; charset=utf-8' : CSV_TYPE);
  if (!json) res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await once(res, 'drain');
  };
  let count = 0;
  const emit = async (rows: T[]) => {
    if (json) await write(rows.map((r) => `${count++ === 0 ? '' : ','}${JSON.stringify(r)}`).join(''));
    else await write(rows.map(csv.line).join(''));
  };
  try {
    await write(json ? '[' : csv.header);
    if (!first.done) await emit(first.value);
    for await (const rows of batches) {
      if (res.destroyed) break;
      await emit(rows);
    }
    res.end(json ? ']' : '');
  } catch (error) {
    // Headers are gone: cut the body short so the client sees an incomplete answer, never a complete-looking one.
    res.destroy(error as Error);
  }
}
