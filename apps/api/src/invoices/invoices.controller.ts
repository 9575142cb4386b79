import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { readIdempotencyKey } from '../common/idempotency-key.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { AddLineDto } from './dto/add-line.dto.js';
import { CreateInvoiceDto } from './dto/create-invoice.dto.js';
import { InvoiceLineResponse, InvoicePage, InvoiceResponse } from './dto/invoice.response.js';
import { ListInvoicesQuery } from './dto/list-invoices.query.js';
import { InvoiceViewsService } from './invoice-views.service.js';
import { InvoicesService } from './invoices.service.js';

@ApiTags('invoices')
@ApiBearerAuth()
@Controller('v1/invoices')
@Roles(...STAFF)
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly views: InvoiceViewsService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: InvoiceResponse, description: 'A blank service invoice' })
  create(@Body() body: CreateInvoiceDto, @Auth() auth: AuthContext, @Req() req: Request): Promise<InvoiceResponse> {
    return this.invoices.createBlank(auth.clinicId, body.patientId, auth.keyId, readIdempotencyKey(req));
  }

  @Get()
  @ApiOkResponse({ type: InvoicePage, description: 'Newest first' })
  list(@Query() query: ListInvoicesQuery, @Auth() auth: AuthContext): Promise<InvoicePage> {
    return this.invoices.list(auth.clinicId, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: InvoiceResponse })
  get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<InvoiceResponse> {
    return this.views.one(auth.clinicId, id);
  }

  @Post(':id/lines')
  @ApiCreatedResponse({ type: InvoiceLineResponse })
  addLine(@Param('id', UuidParam) id: string, @Body() body: AddLineDto, @Auth() auth: AuthContext, @Req() req: Request): Promise<InvoiceLineResponse> {
    return this.invoices.addLine(auth.clinicId, id, body, readIdempotencyKey(req));
  }

  @Delete(':id/lines/:lineId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: "Removed; 409 line_in_use once the line is redeemed or paid (a service invoice with payments; a purchase invoice's tip or charge once its plan is paid in full and more)" })
  async deleteLine(@Param('id', UuidParam) id: string, @Param('lineId', UuidParam) lineId: string, @Auth() auth: AuthContext): Promise<void> {
    await this.invoices.deleteLine(auth.clinicId, id, lineId);
  }
}
