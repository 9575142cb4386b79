import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type ApiKey, type Role } from '@app/billing';

export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ description: 'First characters of the key, to tell keys apart' })
  keyPrefix: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revokedAt: string | null;
}

export class CreatedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The key itself: shown once, never stored' })
  key: string;
}

export class ApiKeyPage {
  @ApiProperty({ type: () => [ApiKeyResponse] })
  data: ApiKeyResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

export function toApiKeyResponse(key: ApiKey): ApiKeyResponse {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    keyPrefix: key.keyPrefix,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}
