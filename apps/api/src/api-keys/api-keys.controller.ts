import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, type AuthContext } from '../auth/auth-context.js';
import { OWNER, Roles } from '../auth/roles.decorator.js';
import { ListQuery } from '../common/pagination.js';
import { UuidParam } from '../common/uuid-param.pipe.js';
import { ProblemDetails } from '../openapi/problem.schema.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyPage, CreatedApiKeyResponse } from './dto/api-key.response.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

@ApiTags('clinic')
@ApiBearerAuth()
@Controller('v1/api-keys')
@Roles(...OWNER)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyResponse, description: 'The key is shown in this answer only' })
  @ApiConflictResponse({ type: ProblemDetails, description: 'api_key_limit: the clinic already has 50 active keys (revoke one first)' })
  create(@Body() body: CreateApiKeyDto, @Auth() auth: AuthContext): Promise<CreatedApiKeyResponse> {
    return this.keys.create(auth.clinicId, body);
  }

  @Get()
  @ApiOkResponse({ type: ApiKeyPage })
  list(@Query() query: ListQuery, @Auth() auth: AuthContext): Promise<ApiKeyPage> {
    return this.keys.list(auth.clinicId, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: the key stops working at once' })
  async revoke(@Param('id', UuidParam) id: string, @Auth() auth: AuthContext): Promise<void> {
    await this.keys.revoke(auth.clinicId, id);
  }
}
