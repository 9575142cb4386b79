import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COMMAND_TYPES, type CommandType } from '@app/billing';
import { CommandBase } from './command-types.dto.js';

/**
 * GET /v1/commands/:id (api-v1.md "Commands"), as the code sees it. In the document its schema is
 * replaced by a oneOf of the per-type schemas of command-types.dto.ts (openapi/command-schema.ts).
 */
export class CommandResponse extends CommandBase {
  @ApiProperty({ enum: COMMAND_TYPES })
  type: CommandType;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The request as accepted' })
  request: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'When succeeded' })
  result?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Long commands (reconciliation) report progress here' })
  progress?: Record<string, unknown>;
}

export class CommandPage {
  @ApiProperty({ type: () => [CommandResponse] })
  data: CommandResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
