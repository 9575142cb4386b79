import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import { allowFutureAsOf, AppConfig, Clinic, isAsOfAllowed, isIsoDate, todayIn } from '@app/billing';
import type { ReconciliationRequest } from '@app/billing';
import { IsOptional, Matches } from 'class-validator';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { ProblemException } from '../common/problem.exception.js';
import { CommandsService } from '../commands/commands.service.js';

export class ReconciliationDto implements ReconciliationRequest {
  @ApiPropertyOptional({
    example: '2026-11-24',
    description: "Defaults to today in the clinic's time zone; a later date only where the deployment sets ALLOW_FUTURE_AS_OF=true",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf must be a date YYYY-MM-DD' })
  asOf?: string;
}

const invalidAsOf = (message: string) => new ProblemException('validation_failed', message, { errors: [{ field: 'asOf', message }] });

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/reconciliations')
export class ReconciliationsController {
  constructor(
    private readonly commands: CommandsService,
    private readonly em: EntityManager,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Runs the scheduled reconciliation now, as of a date; its progress and counts are on the command. */
  @Post()
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30)' })
  async reconcile(@Body() body: ReconciliationDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    const today = body.asOf === undefined ? null : await this.clinicToday(auth.clinicId);
    return this.commands.submit(req, auth, 'reconciliation', { ...body }, {
      validate: () => {
        if (body.asOf === undefined || today === null) return;
        if (!isIsoDate(body.asOf)) throw invalidAsOf('asOf must be a real date');
        if (!isAsOfAllowed(today, body.asOf, allowFutureAsOf(this.config))) throw invalidAsOf(`asOf must be on or before today (${today}) in the clinic's time zone`);
      },
    });
  }

  private async clinicToday(clinicId: string): Promise<string> {
    const clinic = await this.em.fork().findOneOrFail(Clinic, { id: clinicId }, { fields: ['timezone'] });
    return todayIn(clinic.timezone);
  }
}
