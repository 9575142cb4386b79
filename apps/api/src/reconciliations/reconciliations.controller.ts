import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { isIsoDate } from '@app/billing';
import { IsOptional, Matches } from 'class-validator';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { ProblemException } from '../common/problem.exception.js';
import { CommandsService } from '../commands/commands.service.js';

export class ReconciliationDto {
  @ApiPropertyOptional({ example: '2026-11-24', description: "Defaults to today in the clinic's time zone" })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'asOf must be a date YYYY-MM-DD' })
  asOf?: string;
}

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/reconciliations')
export class ReconciliationsController {
  constructor(private readonly commands: CommandsService) {}

  /** Runs the scheduled reconciliation now, as of a date; its progress and counts are on the command. */
  @Post()
  @HttpCode(202)
  @Roles(...BACK_OFFICE)
  @CommandEndpoint()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30)' })
  reconcile(@Body() body: ReconciliationDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'reconciliation', { ...body }, {
      validate: () => {
        if (body.asOf !== undefined && !isIsoDate(body.asOf)) {
          throw new ProblemException('validation_failed', 'asOf must be a real date', { errors: [{ field: 'asOf', message: 'asOf must be a real date' }] });
        }
      },
    });
  }
}
