import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { Roles, STAFF } from '../auth/roles.decorator.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { DocumentsService } from './documents.service.js';
import { ApiPdf, pdfFile } from './pdf-response.js';

/** Receipts and statements for API clients (front desk and up, like reading invoices). */
@ApiTags('documents')
@ApiBearerAuth()
@Controller('v1')
@Roles(...STAFF)
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get('invoices/:id/receipt.pdf')
  @ApiPdf('The receipt (PDF)')
  async receipt(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext) {
    return pdfFile(await this.documents.receipt(auth.clinicId, id));
  }

  @Get('purchases/:id/statement.pdf')
  @ApiPdf('The statement (PDF)')
  async statement(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext) {
    return pdfFile(await this.documents.statement(auth.clinicId, id));
  }
}
