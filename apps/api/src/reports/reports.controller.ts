import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { ageingReport, Clinic, currencyDigits, liabilityReport, revenueReport, todayIn } from '@app/billing';
import type { AgeingRow, LiabilityPlanRow, RevenueDay } from '@app/billing';
import type { Response } from 'express';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles } from '../auth/roles.decorator.js';
import { AsOfQuery, DateRangeQuery } from './dto/report-query.dto.js';
import { AgeingReportResponse, LiabilityReportResponse, RevenueReportResponse } from './dto/report.response.js';
import { reportDate, reportRange } from './report-dates.js';
import { CSV_TYPE, csvOf, wantsCsv } from './report-format.js';

const MONEY = ['paid', 'refunded', 'recognized', 'forfeited', 'outstanding'];
const jsonOrCsv = (model: new () => object, csvDescription: string) =>
  ApiOkResponse({
    description: 'JSON by default; CSV with Accept: text/csv',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(model) } },
      'text/csv': { schema: { type: 'string', description: csvDescription } },
    },
  });

@ApiTags('reports')
@ApiBearerAuth()
@ApiExtraModels(LiabilityReportResponse, AgeingReportResponse, RevenueReportResponse)
@Controller('v1/reports')
@Roles(...BACK_OFFICE)
export class ReportsController {
  constructor(private readonly em: EntityManager) {}

  @Get('liability')
  @jsonOrCsv(LiabilityReportResponse, 'One row per plan (asOf, planId, planName, kind, purchases, paid, …), money as decimals')
  async liability(@Query() query: AsOfQuery, @Auth() auth: AuthContext, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    const clinic = await this.clinic(auth);
    const asOf = reportDate('asOf', query.asOf ?? todayIn(clinic.timezone), todayIn(clinic.timezone));
    const report = await liabilityReport(this.em, auth.clinicId, asOf);
    if (!wantsCsv(accept)) return report;
    const rows = report.plans.map((p) => ({ asOf, ...p }));
    return this.csv(res, csvOf<{ asOf: string } & LiabilityPlanRow>(rows, ['asOf', 'planId', 'planName', 'kind', 'purchases', 'paid', 'refunded', 'recognized', 'forfeited', 'outstanding', 'unusedVisits'], MONEY, currencyDigits(clinic.currency)));
  }

  @Get('ageing')
  @jsonOrCsv(AgeingReportResponse, 'One row per kind and bucket (asOf, kind, bucket, invoices, balanceDue)')
  async ageing(@Query() query: AsOfQuery, @Auth() auth: AuthContext, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    const clinic = await this.clinic(auth);
    const asOf = reportDate('asOf', query.asOf ?? todayIn(clinic.timezone), todayIn(clinic.timezone));
    const report = await ageingReport(this.em, auth.clinicId, asOf);
    if (!wantsCsv(accept)) return report;
    const rows = report.buckets.map((b) => ({ asOf, ...b }));
    return this.csv(res, csvOf<{ asOf: string } & AgeingRow>(rows, ['asOf', 'kind', 'bucket', 'invoices', 'balanceDue'], ['balanceDue'], currencyDigits(clinic.currency)));
  }

  @Get('revenue')
  @jsonOrCsv(RevenueReportResponse, 'One row per day (date, payments, refunds, recognized, redemptions)')
  async revenue(@Query() query: DateRangeQuery, @Auth() auth: AuthContext, @Headers('accept') accept: string | undefined, @Res({ passthrough: true }) res: Response) {
    const clinic = await this.clinic(auth);
    const { from, to } = reportRange(query.from, query.to, todayIn(clinic.timezone));
    const report = await revenueReport(this.em, auth.clinicId, from, to);
    if (!wantsCsv(accept)) return report;
    return this.csv(res, csvOf<RevenueDay>(report.days, ['date', 'payments', 'refunds', 'recognized', 'redemptions'], ['payments', 'refunds', 'recognized'], currencyDigits(clinic.currency)));
  }

  private clinic(auth: AuthContext) {
    return this.em.findOneOrFail(Clinic, { id: auth.clinicId }, { fields: ['timezone', 'currency'] });
  }

  private csv(res: Response, body: string): string {
    res.setHeader('Content-Type', CSV_TYPE);
    return body;
  }
}
