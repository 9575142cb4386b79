import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { CurrentSession, DashboardSessionGuard, type DashboardSession } from '../dashboard/session/index.js';
import { DocumentsService } from './documents.service.js';
import { pdfFile } from './pdf-response.js';

/**
 * The same PDFs for the dashboard's links: a browser sends its session cookie, not an API key.
 * Staff roles, like the dashboard's pages.
 */
@ApiExcludeController()
@Public()
@UseGuards(DashboardSessionGuard)
@Controller('dashboard')
export class DashboardDocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get('invoices/:id/receipt.pdf')
  async receipt(@Param('id', UuidParam) id: string, @CurrentSession() session: DashboardSession) {
    return pdfFile(await this.documents.receipt(session.clinicId, id));
  }

  @Get('purchases/:id/statement.pdf')
  async statement(@Param('id', UuidParam) id: string, @CurrentSession() session: DashboardSession) {
    return pdfFile(await this.documents.statement(session.clinicId, id));
  }
}
