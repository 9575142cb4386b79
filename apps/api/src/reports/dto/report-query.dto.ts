import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class AsOfQuery {
  @ApiPropertyOptional({ example: '2026-11-24', format: 'date', description: "The end of this day in the clinic's time zone; defaults to today there" })
  @IsOptional()
  @Matches(DATE, { message: 'asOf must be a date YYYY-MM-DD' })
  asOf?: string;
}

export class DateRangeQuery {
  @ApiProperty({ example: '2026-11-01', format: 'date', description: "First day, in the clinic's time zone" })
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from: string;

  @ApiProperty({ example: '2026-11-30', format: 'date', description: 'Last day, included; at most 366 days after from, counting both' })
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to: string;
}
