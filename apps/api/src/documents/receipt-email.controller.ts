import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@app/billing';
import { Auth, type AuthContext, type AuthedRequest } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { CommandEndpoint } from '../common/idempotency-key.js';
import { ProblemException } from '../common/problem.exception.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CommandsService } from '../commands/commands.service.js';
import { ReceiptEmailDto } from './dto/receipt-email.dto.js';

@ApiTags('commands')
@ApiBearerAuth()
@Controller('v1/invoices')
export class ReceiptEmailController {
  constructor(
    private readonly commands: CommandsService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /** Without SMTP_URL nothing could ever be sent: refused before anything is stored. */
  @Post(':id/receipt/email')
  @HttpCode(202)
  @Roles(...STAFF)
  @CommandEndpoint()
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader({ name: 'Prefer', required: false, description: 'wait=N (N ≤ 30): answer when the command has finished, if within N seconds (the mail follows on its own queue)' })
  async email(@Param('id', UuidParam) id: string, @Body() body: ReceiptEmailDto, @Auth() auth: AuthContext, @Req() req: AuthedRequest): Promise<never> {
    return this.commands.submit(req, auth, 'receipt_email', { invoiceId: id, ...(body.to ? { to: body.to } : {}) }, {
      validate: () => {
        if (!this.config.SMTP_URL) throw new ProblemException('email_not_configured', 'This deployment has no SMTP_URL: receipts cannot be e-mailed');
      },
    });
  }
}
