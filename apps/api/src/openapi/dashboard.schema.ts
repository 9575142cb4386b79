import { ApiProperty } from '@nestjs/swagger';
import { COMMAND_STATUSES, COMMAND_TYPES } from '@app/billing';
import { CommandResponse } from '../commands/dto/command.response.js';

// GET /v1/dashboard's answer, documented here: the dashboard folder is another owner's.

export class DashboardInvoiceItemResponse {
  @ApiProperty({ format: 'uuid' })
  invoiceId: string;

  @ApiProperty({ type: 'integer' })
  number: number;

  @ApiProperty({ format: 'uuid' })
  patientId: string;

  @ApiProperty()
  patientName: string;

  @ApiProperty({ format: 'uuid' })
  purchaseId: string;

  @ApiProperty()
  planName: string;

  @ApiProperty({ type: 'integer' })
  amount: number;

  @ApiProperty({ type: 'integer' })
  balanceDue: number;

  @ApiProperty({ format: 'date' })
  dueDate: string;

  @ApiProperty({ type: 'integer', description: 'today − dueDate in the clinic time zone (0 when due today)' })
  daysOverdue: number;
}

export class DashboardActivityResponse {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ format: 'uuid' })
  commandId: string;

  @ApiProperty({ enum: COMMAND_TYPES })
  type: string;

  @ApiProperty({ enum: COMMAND_STATUSES })
  status: string;

  @ApiProperty()
  summary: string;
}

export class DashboardCountsResponse {
  @ApiProperty({ type: 'integer' })
  unpaidMembershipInvoices: number;

  @ApiProperty({ type: 'integer' })
  overdueInstallments: number;

  @ApiProperty({ type: 'integer' })
  failedCommands: number;

  @ApiProperty({ type: 'integer' })
  queuedCommands: number;

  @ApiProperty({ type: 'integer' })
  runningCommands: number;

  @ApiProperty({ type: 'integer' })
  activePurchases: number;
}

export class DashboardResponse {
  @ApiProperty({ format: 'date' })
  asOf: string;

  @ApiProperty({ type: () => [DashboardInvoiceItemResponse], description: 'Most overdue first' })
  unpaidMembershipInvoices: DashboardInvoiceItemResponse[];

  @ApiProperty({ type: () => [DashboardInvoiceItemResponse], description: 'Most overdue first' })
  overdueInstallments: DashboardInvoiceItemResponse[];

  @ApiProperty({ type: () => [CommandResponse] })
  failedCommands: CommandResponse[];

  @ApiProperty({ type: () => [DashboardActivityResponse] })
  recentActivity: DashboardActivityResponse[];

  @ApiProperty({ type: () => DashboardCountsResponse })
  counts: DashboardCountsResponse;
}
