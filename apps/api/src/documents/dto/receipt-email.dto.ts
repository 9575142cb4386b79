import type { ReceiptEmailRequest } from '@app/billing';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, MaxLength } from 'class-validator';

export class ReceiptEmailDto implements Omit<ReceiptEmailRequest, 'invoiceId'> {
  @ApiPropertyOptional({ format: 'email', description: "Absent: the patient's e-mail address (no_email_address when it has none)" })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  to?: string;
}
