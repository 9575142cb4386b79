import { StreamableFile } from '@nestjs/common';
import { ApiProduces, ApiOkResponse } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import type { RenderedDocument } from './documents.service.js';

/** A PDF shown in the browser (inline), saved under its own name. */
export function pdfFile({ pdf, fileName }: RenderedDocument): StreamableFile {
  return new StreamableFile(pdf, { type: 'application/pdf', disposition: `inline; filename="${fileName}"`, length: pdf.length });
}

/** OpenAPI: a binary application/pdf answer. */
export const ApiPdf = (description: string) =>
  applyDecorators(ApiProduces('application/pdf'), ApiOkResponse({ description, content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }));
