import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class CreateInvoiceDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  patientId: string;
}
