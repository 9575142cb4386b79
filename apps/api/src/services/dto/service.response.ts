import { ApiProperty } from '@nestjs/swagger';
import type { Service } from '@app/billing';

export class ServiceResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: 'integer', description: 'List price in minor units' })
  price: number;

  @ApiProperty({ type: 'integer', nullable: true })
  durationMinutes: number | null;

  @ApiProperty({ type: String, isArray: true, description: "The clinic's tax codes it is taxed by ([]: exempt)" })
  taxCodes: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class ServicePage {
  @ApiProperty({ type: () => [ServiceResponse] })
  data: ServiceResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toServiceResponse(service: Service): ServiceResponse {
  return {
    id: service.id,
    name: service.name,
    price: service.price,
    durationMinutes: service.durationMinutes,
    taxCodes: service.taxCodes ?? [],
    createdAt: service.createdAt.toISOString(),
  };
}
