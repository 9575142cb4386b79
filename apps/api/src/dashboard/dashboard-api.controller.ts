import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clinic, dashboardView, isIsoDate, todayIn } from '@app/billing';
import { IsOptional, Matches } from 'class-validator';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { ProblemException } from '../common/problem.exception.js';
import { DashboardResponse } from '../openapi/dashboard.schema.js';

export class DashboardQuery {
  @ApiPropertyOptional({ example: '2026-11-24', description: "Defaults to today in the clinic's time zone" })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf must be a date YYYY-MM-DD' })
  asOf?: string;
}

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('v1/dashboard')
export class DashboardApiController {
  constructor(private readonly em: EntityManager) {}

  @Get()
  @Roles(...STAFF)
  @ApiOkResponse({ type: DashboardResponse })
  async get(@Query() query: DashboardQuery, @Auth() auth: AuthContext) {
    const clinic = await this.em.findOneOrFail(Clinic, { id: auth.clinicId });
    const asOf = query.asOf ?? todayIn(clinic.timezone);
    if (!isIsoDate(asOf)) throw new ProblemException('validation_failed', 'asOf must be a real date', { errors: [{ field: 'asOf', message: 'asOf must be a real date' }] });
    return dashboardView(this.em, auth.clinicId, asOf);
  }
}
