import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEMS } from '@app/billing';

export class FieldErrorSchema {
  @ApiProperty({ example: 'items[0].quantity', description: 'Path of the field in the request (a header name for header errors)' })
  field: string;

  @ApiProperty({ example: 'quantity must not be less than 1' })
  message: string;
}

/** RFC 9457 problem details, as every error is answered (`application/problem+json`). */
export class ProblemDetails {
  @ApiProperty({ example: '/problems/validation-failed' })
  type: string;

  @ApiProperty({ example: 'The request is not valid' })
  title: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status: number;

  @ApiProperty({ example: 'quantity must not be less than 1' })
  detail: string;

  @ApiProperty({ enum: Object.keys(PROBLEMS), description: 'Stable snake_case code that clients branch on' })
  code: string;

  @ApiPropertyOptional({ type: () => [FieldErrorSchema], description: 'validation_failed: one entry per invalid field' })
  errors?: FieldErrorSchema[];
}
