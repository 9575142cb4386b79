import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { BACK_OFFICE, Roles, STAFF } from '../auth/roles.decorator.js';
import { decodeCursor, pageLimit } from '../common/pagination.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CreatePurchaseDto } from './dto/create-purchase.dto.js';
import { ListPurchasesQuery } from './dto/list-purchases.query.js';
import { PurchasePage, PurchaseResponse } from './dto/purchase.response.js';
import { ProblemDetails } from '../openapi/problem.schema.js';
import { PurchasesService } from './purchases.service.js';

@ApiTags('purchases')
@ApiBearerAuth()
@Controller('v1')
export class PurchasesController {
  constructor(private readonly purchases: PurchasesService) {}

  @Post('patients/:patientId/purchases')
  @Roles(...STAFF)
  @ApiCreatedResponse({ type: PurchaseResponse, description: 'With its invoice(s), made at once' })
  create(@Param('patientId', UuidParam) patientId: string, @Body() body: CreatePurchaseDto, @Auth() auth: AuthContext) {
    return this.purchases.create(auth, patientId, body);
  }

  @Get('purchases/:id')
  @Roles(...STAFF)
  @ApiOkResponse({ type: PurchaseResponse })
  get(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext) {
    return this.purchases.details(auth, id);
  }

  @Delete('purchases/:id')
  @HttpCode(204)
  @Roles(...BACK_OFFICE)
  @ApiNoContentResponse({ description: 'Deleted: gone from the API; its voided invoices stay' })
  @ApiConflictResponse({ type: ProblemDetails, description: 'purchase_in_use: something was redeemed, paid, refunded or transferred (cancel it instead)' })
  async remove(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<void> {
    await this.purchases.delete(auth, id);
  }

  @Get('patients/:patientId/purchases')
  @Roles(...STAFF)
  @ApiOkResponse({ type: PurchasePage, description: 'Newest first' })
  async list(@Param('patientId', UuidParam) patientId: string, @Query() query: ListPurchasesQuery, @Auth() auth: AuthContext) {
    return this.purchases.listForPatient(auth, patientId, query.status, pageLimit(query), decodeCursor(query.cursor));
  }
}
