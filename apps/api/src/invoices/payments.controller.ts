import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { readIdempotencyKey } from '../common/idempotency-key.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CreatePaymentDto } from './dto/create-payment.dto.js';
import { PaymentResponse } from './dto/invoice.response.js';
import { PaymentsService } from './payments.service.js';

@ApiTags('invoices')
@ApiBearerAuth()
@Controller('v1/invoices/:id/payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @Roles(...STAFF)
  @ApiCreatedResponse({ type: PaymentResponse, description: '422 overpayment when the amount exceeds the balance due' })
  create(@Param('id', UuidParam) id: string, @Body() body: CreatePaymentDto, @Auth() auth: AuthContext, @Req() req: Request): Promise<PaymentResponse> {
    return this.payments.record(auth.clinicId, id, body, auth.keyId, readIdempotencyKey(req));
  }
}
