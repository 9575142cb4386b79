import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COMMAND_STATUSES, COMMAND_TYPES, type CommandStatus, type CommandType } from '@app/billing';
import { ProblemDetails } from '../../openapi/problem.schema.js';

/** GET /v1/commands/:id (api-v1.md "Commands"). */
export class CommandResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: COMMAND_TYPES })
  type: CommandType;

  @ApiProperty({ enum: COMMAND_STATUSES, description: 'rejected: a business rule said no (final, never retried); failed: retries exhausted' })
  status: CommandStatus;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The request as accepted' })
  request: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'When succeeded. redemption { purchaseId, coveredAmount, paymentId? }; cancellation { status, cancelAt? }; refund { amount }; transfer { targetPurchaseId, quantity }; reconciliation { asOf, counts }',
  })
  result?: Record<string, unknown>;

  @ApiPropertyOptional({ type: () => ProblemDetails, description: 'When rejected or failed' })
  error?: ProblemDetails;

  @ApiProperty({ type: 'integer', description: 'How many times a worker started it' })
  attempts: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Long commands (reconciliation) report progress here' })
  progress?: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ format: 'date-time' })
  startedAt?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;
}

export class CommandPage {
  @ApiProperty({ type: () => [CommandResponse] })
  data: CommandResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
